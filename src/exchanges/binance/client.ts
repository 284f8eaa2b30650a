// Signed Binance SAPI calls: builds the exact parameter bytes (timestamp and recvWindow last),
// signs them with the caller's HMAC secret or private key, sends GET/DELETE parameters in the
// query string and POST parameters in a form body (the create call refuses `publicKey` in the
// query string), and turns `{code, msg}` answers into typed ExchangeErrors.

import type { Clock } from '../../runtime/clock.ts';
import { parseRetryAfter, type HttpClient, type HttpMethod, type HttpResponse } from '../http.ts';
import { isRecord } from '../json.ts';
import type { Credentials } from '../types.ts';
import { binanceBadResponse, binanceError, binanceHttpError, binanceInvalidRequest } from './errors.ts';
import { API_KEY_HEADER, SIGNATURE_PARAM, encodeBinanceParams, signBinance, type SigningKey } from './signing.ts';

/** Default production REST endpoint. */
export const BINANCE_MAINNET = 'https://api.binance.com';

/** Options for createBinanceClient. */
export interface BinanceClientOptions {
  endpoint: string;
  clock: Clock;
  http: HttpClient;
  recvWindowMs: number;
}

/** Request parameters, serialised in insertion order (undefined skipped). */
export type BinanceParams = Readonly<Record<string, string | number | boolean | undefined>>;

/** Signed access to Binance's SAPI. */
export interface BinanceClient {
  /** Signed call; resolves with the parsed JSON answer of a 2xx response. */
  call(credentials: Credentials, method: HttpMethod, path: string, params?: BinanceParams): Promise<unknown>;
}

/** Creates a client that signs every call with the credentials it is given. */
export function createBinanceClient(options: BinanceClientOptions): BinanceClient {
  const base = options.endpoint.replace(/\/+$/, '');
  return {
    call: async (credentials, method, path, params = {}) => {
      const payload = encodeBinanceParams({
        ...stringify(params),
        timestamp: options.clock.nowMs(),
        recvWindow: options.recvWindowMs,
      });
      const signed = `${payload}&${SIGNATURE_PARAM}=${signBinance(signingKeyOf(credentials), payload)}`;
      const inBody = method === 'POST' || method === 'PUT';
      const response = await options.http.send({
        method,
        url: inBody ? `${base}${path}` : `${base}${path}?${signed}`,
        headers: {
          [API_KEY_HEADER]: credentials.keyId,
          ...(inBody ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(inBody ? { body: signed } : {}),
      });
      return readAnswer(response, options.clock.nowMs());
    },
  };
}

/** The parsed body of a 2xx answer, or the typed error a `{code, msg}` (or bare status) answer means. */
export function readAnswer(response: HttpResponse, nowMs: number): unknown {
  const parsed = parseJson(response.body);
  const ok = response.status >= 200 && response.status < 300;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], nowMs);
  if (isRecord(parsed) && typeof parsed.code === 'number' && parsed.code < 0) {
    throw binanceError({
      code: parsed.code,
      msg: typeof parsed.msg === 'string' ? parsed.msg : '',
      httpStatus: response.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (!ok) throw binanceHttpError(response.status, response.body, retryAfterMs);
  if (parsed === undefined) throw binanceBadResponse('body is not JSON');
  return parsed;
}

/** The key that signs for these credentials: a PEM private key wins over a secret. */
export function signingKeyOf(credentials: Credentials): SigningKey {
  if (credentials.privateKey !== undefined && credentials.privateKey !== '') {
    return { kind: 'asymmetric', privateKeyPem: credentials.privateKey };
  }
  if (credentials.secret !== undefined && credentials.secret !== '') return { kind: 'hmac', secret: credentials.secret };
  throw binanceInvalidRequest('credentials need an HMAC secret or a PEM private key');
}

function stringify(params: BinanceParams): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [name, value] of Object.entries(params)) out[name] = typeof value === 'boolean' ? String(value) : value;
  return out;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
