// OKX v5 REST request signing. Pure: the adapter signs with it and the simulator verifies with it,
// over the exact bytes on the wire. Source: OKX API v5 docs, "Authentication → REST
// Authentication → Signature" (docs/okx/authentication.md in rosssaunders/coincise): the prehash is
// timestamp + METHOD + requestPath (with "?query" for GET) + body, HMAC-SHA256 with the SecretKey,
// Base64-encoded; the timestamp is the OK-ACCESS-TIMESTAMP header, ISO 8601 UTC with milliseconds.

import { constantTimeEqual, encodeQuery, hmacSha256 } from '../signing.ts';

/** The header names OKX reads; Node lower-cases incoming names, so compare lower-case. */
export const OKX_HEADERS = {
  apiKey: 'OK-ACCESS-KEY',
  sign: 'OK-ACCESS-SIGN',
  timestamp: 'OK-ACCESS-TIMESTAMP',
  passphrase: 'OK-ACCESS-PASSPHRASE',
} as const;

/** The parts of one signed request, exactly as sent. */
export interface OkxSignInput {
  /** OK-ACCESS-TIMESTAMP as sent. */
  timestamp: string;
  /** Upper-case HTTP method. */
  method: string;
  /** Path plus "?" and the raw query string when there is one. */
  requestPath: string;
  /** Raw body ('' for GET). */
  body: string | Uint8Array;
}

/** The string OKX signs, with the body decoded as UTF-8. */
export function okxPrehash(input: OkxSignInput): string {
  const body = typeof input.body === 'string' ? input.body : Buffer.from(input.body).toString('utf8');
  return `${input.timestamp}${input.method}${input.requestPath}${body}`;
}

/** Base64 HMAC-SHA256 over the prehash (OK-ACCESS-SIGN). */
export function signOkx(secret: string, input: OkxSignInput): string {
  return hmacSha256(secret, [`${input.timestamp}${input.method}${input.requestPath}`, input.body], 'base64');
}

/** True when `signature` is the HMAC of this request; compared in constant time. */
export function verifyOkx(secret: string, input: OkxSignInput, signature: string): boolean {
  return constantTimeEqual(signOkx(secret, input), signature);
}

/** OKX's timestamp format: ISO 8601 UTC with milliseconds, e.g. 2020-12-08T09:08:57.715Z. */
export function okxTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Serialises GET parameters in insertion order, URI-encoding values and skipping undefined. */
export const encodeOkxQuery = encodeQuery;

/** Everything needed to build the auth headers of one request. */
export interface OkxAuthInput {
  apiKey: string;
  secret: string;
  passphrase: string;
  timestampMs: number;
  method: string;
  requestPath: string;
  body: string;
}

/** The OK-ACCESS-* headers for one request. */
export function okxAuthHeaders(input: OkxAuthInput): Record<string, string> {
  const timestamp = okxTimestamp(input.timestampMs);
  return {
    [OKX_HEADERS.apiKey]: input.apiKey,
    [OKX_HEADERS.sign]: signOkx(input.secret, { timestamp, method: input.method, requestPath: input.requestPath, body: input.body }),
    [OKX_HEADERS.timestamp]: timestamp,
    [OKX_HEADERS.passphrase]: input.passphrase,
  };
}
