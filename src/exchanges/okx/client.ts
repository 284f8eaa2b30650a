// Signed OKX v5 calls: builds the exact query/body bytes, signs them, sends them through the
// shared HTTP client and unwraps OKX's envelope `{code, msg, data}` into either `data` or a typed
// ExchangeError.

import type { Clock } from '../../runtime/clock.ts';
import type { HttpClient, HttpResponse, SignedClient } from '../http.ts';
import type { Pacer } from '../pacer.ts';
import { OKX_RATE_LIMITS, OKX_RATE_WINDOW_MS } from './limits.ts';
import { parseJsonObject } from '../json.ts';
import { ExchangeError, type Credentials } from '../types.ts';
import { okxBadResponse, okxError, okxHttpError, okxInvalidRequest } from './errors.ts';
import { encodeOkxQuery, okxAuthHeaders } from './signing.ts';

/** Default production REST endpoint. */
export const OKX_MAINNET = 'https://www.okx.com';

/** Options for createOkxClient. */
export interface OkxClientOptions {
  endpoint: string;
  clock: Clock;
  http: HttpClient;
  /** Spaces calls to OKX's published per-User-ID limits (by calling key); none: send at once. */
  pacer?: Pacer;
}

/** Signed access to OKX's private REST API; results are the `data` of a code-"0" envelope. */
export type OkxClient = SignedClient<Credentials>;

/** Creates a client that signs every call with the credentials it is given. */
export function createOkxClient(options: OkxClientOptions): OkxClient {
  const base = options.endpoint.replace(/\/+$/, '');
  const call = async (credentials: Credentials, method: 'GET' | 'POST', requestPath: string, body: string): Promise<unknown> => {
    await options.pacer?.wait(credentials.keyId, `${method} ${requestPath.split('?')[0] ?? requestPath}`);
    // Signed after the wait, so the timestamp is fresh.
    const headers = {
      ...okxAuthHeaders({
        apiKey: credentials.keyId,
        ...secretsOf(credentials),
        timestampMs: options.clock.nowMs(),
        method,
        requestPath,
        body,
      }),
      ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
    };
    const window = rateWindowOf(method, requestPath);
    let response: HttpResponse;
    try {
      response = await options.http.send({ method, url: `${base}${requestPath}`, headers, ...(method === 'POST' ? { body } : {}) });
    } catch (err) {
      throw err instanceof ExchangeError ? withRetryHint(err, window) : err;
    }
    return unwrapEnvelope(response, window);
  };
  return {
    get: (credentials, path, query = {}) => {
      const qs = encodeOkxQuery(query);
      return call(credentials, 'GET', qs === '' ? path : `${path}?${qs}`, '');
    },
    post: (credentials, path, body) => call(credentials, 'POST', path, JSON.stringify(body)),
  };
}

/**
 * Reads OKX's envelope: `data` when code is "0", else a typed error (rate limits carry the
 * endpoint's window as retry hint). Responses without an envelope are judged by status alone.
 */
export function unwrapEnvelope(response: HttpResponse, rateWindowMs?: number): unknown {
  const envelope = parseEnvelope(response.body);
  if (!envelope) {
    if (response.status >= 200 && response.status < 300) throw okxBadResponse('body is not an OKX envelope');
    throw okxHttpError(response.status, response.body);
  }
  if (envelope.code === '0') return envelope.data;
  throw withRetryHint(okxError({ code: envelope.code, msg: envelope.msg, httpStatus: response.status }), rateWindowMs);
}

interface Envelope {
  code: string;
  msg: string;
  data: unknown;
}

function parseEnvelope(body: string): Envelope | undefined {
  // An empty body is no envelope (parseJsonObject reads it as {}).
  const parsed = body.trim() === '' ? undefined : parseJsonObject(Buffer.from(body, 'utf8'));
  // OKX writes codes as strings; accept numbers too rather than call a real answer malformed.
  if (!parsed || (typeof parsed.code !== 'string' && typeof parsed.code !== 'number')) return undefined;
  return { code: String(parsed.code), msg: typeof parsed.msg === 'string' ? parsed.msg : '', data: parsed.data };
}

// A rate limit with no venue-given delay gets the endpoint's window.
function withRetryHint(err: ExchangeError, windowMs: number | undefined): ExchangeError {
  if (err.kind !== 'rate-limit' || err.retryAfterMs !== undefined || windowMs === undefined) {
    return err;
  }
  return new ExchangeError({
    venue: err.venue, kind: err.kind, code: err.code, message: err.message, retryAfterMs: windowMs, cause: err.cause,
    ...(err.httpStatus === undefined ? {} : { httpStatus: err.httpStatus }),
  });
}

// How long a rate-limited caller must wait: OKX sends no reset header, so the endpoint's published
// window (limits.ts, the table the pacer and the simulator use) is the longest wait needed.
function rateWindowOf(method: string, requestPath: string): number | undefined {
  const path = requestPath.split('?')[0] ?? requestPath;
  const rule = OKX_RATE_LIMITS[`${method} ${path}`];
  if (rule === undefined) return undefined;
  return typeof rule === 'number' ? OKX_RATE_WINDOW_MS : rule.windowMs;
}

function secretsOf(credentials: Credentials): { secret: string; passphrase: string } {
  if (credentials.secret === undefined || credentials.secret === '') {
    throw okxInvalidRequest('an HMAC secret is required (OKX keys are HMAC keys)');
  }
  if (credentials.passphrase === undefined || credentials.passphrase === '') {
    throw okxInvalidRequest('a passphrase is required: OKX signs every call with the key, its secret and its passphrase');
  }
  return { secret: credentials.secret, passphrase: credentials.passphrase };
}
