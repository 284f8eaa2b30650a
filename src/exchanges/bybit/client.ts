// Signed Bybit v5 calls: builds the exact query/body bytes, signs them, sends them through the
// shared HTTP client and unwraps Bybit's envelope `{retCode, retMsg, result, retExtInfo, time}`
// into either `result` or a typed ExchangeError.

import type { Clock } from '../../runtime/clock.ts';
import type { HttpClient, HttpResponse } from '../http.ts';
import type { Pacer } from '../pacer.ts';
import { isRecord } from '../json.ts';
import type { Credentials } from '../types.ts';
import { bybitBadResponse, bybitError, bybitHttpError, bybitInvalidRequest } from './errors.ts';
import { bybitAuthHeaders, encodeBybitQuery } from './signing.ts';

/** Default production REST endpoint. */
export const BYBIT_MAINNET = 'https://api.bybit.com';

/** Options for createBybitClient. */
export interface BybitClientOptions {
  endpoint: string;
  clock: Clock;
  http: HttpClient;
  recvWindowMs: number;
  /** Spaces calls to Bybit's published per-UID limits (by calling key); none: send at once. */
  pacer?: Pacer;
}

/** GET parameters, serialised in insertion order. */
export type BybitQuery = Readonly<Record<string, string | number | undefined>>;

/** Signed access to Bybit's private REST API. */
export interface BybitClient {
  /** Signed GET; resolves with `result` of a retCode-0 envelope. */
  get(credentials: Credentials, path: string, query?: BybitQuery): Promise<unknown>;
  /** Signed POST with a JSON body; resolves with `result` of a retCode-0 envelope. */
  post(credentials: Credentials, path: string, body: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** Creates a client that signs every call with the credentials it is given. */
export function createBybitClient(options: BybitClientOptions): BybitClient {
  const base = options.endpoint.replace(/\/+$/, '');
  const call = async (credentials: Credentials, method: 'GET' | 'POST', path: string, payload: string): Promise<unknown> => {
    await options.pacer?.wait(credentials.keyId, path);
    // Signed after the wait, so the timestamp is fresh for the receive window.
    const headers = {
      ...bybitAuthHeaders({
        apiKey: credentials.keyId,
        secret: secretOf(credentials),
        timestampMs: options.clock.nowMs(),
        recvWindowMs: options.recvWindowMs,
        payload,
      }),
      ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
    };
    const url = method === 'GET' && payload !== '' ? `${base}${path}?${payload}` : `${base}${path}`;
    const response = await options.http.send({
      method,
      url,
      headers,
      ...(method === 'POST' ? { body: payload } : {}),
    });
    return unwrapEnvelope(response, options.clock.nowMs());
  };
  return {
    get: (credentials, path, query = {}) => call(credentials, 'GET', path, encodeBybitQuery(query)),
    post: (credentials, path, body) => call(credentials, 'POST', path, JSON.stringify(body)),
  };
}

/**
 * Reads Bybit's envelope: `result` when retCode is 0, else a typed error. Responses without an
 * envelope are judged by their HTTP status alone.
 */
export function unwrapEnvelope(response: HttpResponse, nowMs: number): unknown {
  const envelope = parseEnvelope(response.body);
  if (!envelope) {
    if (response.status >= 200 && response.status < 300) throw bybitBadResponse('body is not a Bybit envelope');
    throw bybitHttpError(response.status, response.body);
  }
  if (envelope.retCode === 0) return envelope.result;
  const retryAfterMs = rateLimitResetMs(response.headers, nowMs);
  throw bybitError({
    retCode: envelope.retCode,
    retMsg: envelope.retMsg,
    httpStatus: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** Delay until Bybit's per-UID window resets, from X-Bapi-Limit-Reset-Timestamp (epoch ms). */
export function rateLimitResetMs(headers: Readonly<Record<string, string>>, nowMs: number): number | undefined {
  const reset = Number(headers['x-bapi-limit-reset-timestamp']);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset - nowMs) : undefined;
}

interface Envelope {
  retCode: number;
  retMsg: string;
  result: unknown;
}

function parseEnvelope(body: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.retCode !== 'number') return undefined;
  return {
    retCode: parsed.retCode,
    retMsg: typeof parsed.retMsg === 'string' ? parsed.retMsg : '',
    result: parsed.result,
  };
}

function secretOf(credentials: Credentials): string {
  if (credentials.secret === undefined || credentials.secret === '') {
    throw bybitInvalidRequest('an HMAC secret is required (RSA-signed keys are not supported yet)');
  }
  return credentials.secret;
}
