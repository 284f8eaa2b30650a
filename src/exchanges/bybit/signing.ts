// Bybit v5 request signing (HMAC keys). Pure: the adapter signs with it and the simulator verifies
// with it, both over the exact bytes on the wire. Bybit does not sort or re-encode anything: the
// prehash is timestamp + apiKey + recvWindow + (raw query string for GET | raw JSON body for POST).

import { constantTimeEqual, encodeQuery, hmacSha256 } from '../signing.ts';

/** Bybit's default receive window, in ms. */
export const DEFAULT_RECV_WINDOW_MS = 5000;

/** The header names Bybit reads; Node lower-cases incoming names, so compare lower-case. */
export const BYBIT_HEADERS = {
  apiKey: 'X-BAPI-API-KEY',
  timestamp: 'X-BAPI-TIMESTAMP',
  recvWindow: 'X-BAPI-RECV-WINDOW',
  sign: 'X-BAPI-SIGN',
  signType: 'X-BAPI-SIGN-TYPE',
} as const;

/** The parts of one signed request, exactly as sent (strings, not re-formatted numbers). */
export interface SignInput {
  timestamp: string;
  apiKey: string;
  /** As sent in X-BAPI-RECV-WINDOW; Bybit signs the header text, so '' when the header is absent. */
  recvWindow: string;
  /** Raw query string (no leading '?') for GET, raw body for POST; '' when there is none. */
  payload: string | Uint8Array;
}

/** The string Bybit signs, with the payload decoded as UTF-8. */
export function bybitPrehash(input: SignInput): string {
  const payload = typeof input.payload === 'string'
    ? input.payload
    : Buffer.from(input.payload).toString('utf8');
  return `${input.timestamp}${input.apiKey}${input.recvWindow}${payload}`;
}

/** HMAC-SHA256 over the prehash, as lower-case hex (X-BAPI-SIGN for HMAC keys). */
export function signBybitHmac(secret: string, input: SignInput): string {
  return hmacSha256(secret, [`${input.timestamp}${input.apiKey}${input.recvWindow}`, input.payload], 'hex');
}

/** True when `signature` is the HMAC of this request; compared in constant time. */
export function verifyBybitHmac(secret: string, input: SignInput, signature: string): boolean {
  return constantTimeEqual(signBybitHmac(secret, input), signature.toLowerCase());
}

/** Serialises GET parameters in insertion order, URI-encoding values and skipping undefined. */
export const encodeBybitQuery = encodeQuery;

/** Everything needed to build the auth headers of one request. */
export interface AuthHeaderInput {
  apiKey: string;
  secret: string;
  timestampMs: number;
  recvWindowMs: number;
  payload: string;
}

/** The X-BAPI-* headers for one request (sign type 2 = HMAC-SHA256 hex, as the official SDKs send). */
export function bybitAuthHeaders(input: AuthHeaderInput): Record<string, string> {
  const signInput: SignInput = {
    timestamp: String(input.timestampMs),
    apiKey: input.apiKey,
    recvWindow: String(input.recvWindowMs),
    payload: input.payload,
  };
  return {
    [BYBIT_HEADERS.apiKey]: input.apiKey,
    [BYBIT_HEADERS.timestamp]: signInput.timestamp,
    [BYBIT_HEADERS.recvWindow]: signInput.recvWindow,
    [BYBIT_HEADERS.sign]: signBybitHmac(input.secret, signInput),
    [BYBIT_HEADERS.signType]: '2',
  };
}
