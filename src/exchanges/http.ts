// The one HTTP path every venue adapter uses. Transport failures and the statuses that mean
// "not now" (429, 5xx) become typed ExchangeErrors here, so adapters only map their venue's own
// body codes. Anything else (2xx, 4xx) is handed back raw: venues put their real verdict in the
// body, often under a 200 or a 401, and only the adapter knows how to read it.

import { request, type Dispatcher } from 'undici';
import type { Clock } from '../runtime/clock.ts';
import { exchangeRequestDuration, exchangeRequests } from '../observability/metrics.ts';
import { ExchangeError, type AdapterOptions } from './types.ts';

/** Used when neither the adapter nor the caller says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One request, with the body already serialised (signatures cover these exact bytes). */
export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
}

/** A response the venue actually produced; header names are lower-case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** GET parameters, serialised in insertion order (undefined ones skipped). */
export type QueryParams = Readonly<Record<string, string | number | undefined>>;

/** A venue client that signs each call with the credentials it is given and returns the unwrapped result. */
export interface SignedClient<C> {
  /** Signed GET; resolves with the venue's result on success, throws ExchangeError otherwise. */
  get(credentials: C, path: string, query?: QueryParams): Promise<unknown>;
  /** Signed POST with a JSON body; resolves with the venue's result on success. */
  post(credentials: C, path: string, body: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** What adapters depend on; tests may pass any implementation. */
export interface HttpClient {
  /** Sends one request; throws ExchangeError for transport failures, 429 and 5xx. */
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** Options for createHttpClient. */
export interface HttpClientOptions {
  /** Venue name recorded on every ExchangeError. */
  venue: string;
  clock: Clock;
  timeoutMs?: number;
  /** undici dispatcher (connection pool); the global one by default. */
  dispatcher?: Dispatcher;
}

/** Creates the shared HTTP client with a per-request timeout armed on the injected clock. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    send: async (req) => {
      const response = await measured(options, req, () => exchange(options, req, timeoutMs));
      const failure = classifyResponse(options.venue, response, options.clock.nowMs());
      if (failure) throw failure;
      return response;
    },
  };
}

/** The client an adapter factory builds from its AdapterOptions (timeout passed through). */
export function httpClientFor(venue: string, options: AdapterOptions): HttpClient {
  return createHttpClient({
    venue,
    clock: options.clock,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

/**
 * The ExchangeError a status alone implies (429 → rate-limit, 5xx → unavailable), honouring
 * Retry-After; undefined when the body must decide.
 */
export function classifyResponse(
  venue: string,
  response: HttpResponse,
  nowMs: number,
): ExchangeError | undefined {
  const { status } = response;
  if (status !== 429 && status < 500) return undefined;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], nowMs);
  return new ExchangeError({
    venue,
    kind: status === 429 ? 'rate-limit' : 'unavailable',
    code: String(status),
    httpStatus: status,
    message: `${venue}: HTTP ${status}${snippet(response.body)}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** Parses Retry-After (delta seconds or an HTTP date) into a delay in ms; undefined if absent or bad. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Anything else must be an HTTP date (which always names a day or month).
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

async function exchange(
  options: HttpClientOptions,
  req: HttpRequest,
  timeoutMs: number,
): Promise<HttpResponse> {
  const controller = new AbortController();
  // The clock timer is the deadline exkey reasons about; undici's own timeouts are a backstop for
  // when a FakeClock never fires.
  const timer = options.clock.setTimer(timeoutMs, () => { controller.abort(); });
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: { ...req.headers },
      body: req.body,
      signal: controller.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const body = await res.body.text();
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body };
  } catch (err) {
    throw transportError(options.venue, req, err, controller.signal.aborted ? timeoutMs : undefined);
  } finally {
    timer.cancel();
  }
}

// Counts and times every request: by status, or by the transport failure's code.
async function measured(options: HttpClientOptions, req: HttpRequest, send: () => Promise<HttpResponse>): Promise<HttpResponse> {
  const startedMs = options.clock.nowMs();
  const labels = { venue: options.venue, path: pathOf(req.url) };
  let code = 'error';
  try {
    const response = await send();
    code = String(response.status);
    return response;
  } catch (err) {
    if (err instanceof ExchangeError) code = err.code;
    throw err;
  } finally {
    exchangeRequests.inc({ ...labels, code });
    exchangeRequestDuration.observe(labels, Math.max(0, options.clock.nowMs() - startedMs) / 1000);
  }
}

/** Maps a thrown transport error to a retryable 'unavailable' ExchangeError. */
function transportError(
  venue: string,
  req: HttpRequest,
  err: unknown,
  timedOutAfterMs: number | undefined,
): ExchangeError {
  const code = timedOutAfterMs !== undefined ? 'timeout' : errorCode(err);
  const reason = timedOutAfterMs !== undefined
    ? `no response within ${timedOutAfterMs} ms`
    : err instanceof Error ? err.message : String(err);
  return new ExchangeError({
    venue,
    kind: 'unavailable',
    code,
    message: `${venue}: ${req.method} ${pathOf(req.url)} failed: ${reason}`,
    cause: err,
  });
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT'
      ? 'timeout'
      : err.code;
  }
  return 'network';
}

// Query strings can carry identifiers; error messages keep the path only.
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '<invalid url>';
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function snippet(body: string): string {
  const text = body.trim().slice(0, 200);
  return text === '' ? '' : `: ${text}`;
}
