// Authenticates one SIGNED request the way Binance's gateway does, over the raw bytes received:
// API key header present, `signature` and `timestamp` sent, recvWindow valid, the timing rule of
// "Request security" (timestamp < serverTime + 1000 and serverTime − timestamp ≤ recvWindow; the
// timestamp in ms or µs), the key known and live, the signature over queryString + requestBody
// (without the signature parameter), and the caller's IP in the key's restriction.
// Binance does not document the order of its checks; this is the order the simulator uses.
// Pure: the caller supplies the clock reading and the key lookup.

import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { binancePayload, splitSignature, verifyBinance, type VerifyingKey } from '../signing.ts';
import { CODE, fail, missing, type SimFailure } from './envelope.ts';
import type { SimKey } from './state.ts';

/** Binance tolerates timestamps up to 1 s ahead of its own clock. */
export const FUTURE_TOLERANCE_MS = 1000;
/** Receive window when `recvWindow` is not sent. */
export const DEFAULT_RECV_WINDOW_MS = 5000;
/** Largest recvWindow Binance accepts. */
export const MAX_RECV_WINDOW_MS = 60_000;

/** The parts of a request authentication looks at, exactly as received, and the venue time. */
export type AuthRequest = Pick<SimRequest, 'headers' | 'rawQuery' | 'rawBody' | 'ip'> & { nowMs: number };

/** Either the authenticated key with the request's parameters, or Binance's refusal. */
export type AuthOutcome =
  | { ok: true; key: SimKey; params: URLSearchParams }
  | { ok: false; refusal: SimFailure };

/** Runs Binance's checks; `lookup` finds a live key by its public id. */
export function authenticate(req: AuthRequest, lookup: (apiKey: string) => SimKey | undefined): AuthOutcome {
  const apiKey = req.headers['x-mbx-apikey'] ?? '';
  if (apiKey === '') return refuse(fail(CODE.badKeyFormat));
  const query = splitSignature(req.rawQuery);
  const body = splitSignature(req.rawBody.toString('utf8'));
  const signature = query.signature ?? body.signature;
  const params = requestParams(req.rawQuery, req.rawBody.toString('utf8'));
  if (signature === undefined || signature === '') return refuse(missing('signature'));
  const timeRefusal = checkTime(params.get('timestamp'), params.get('recvWindow'), req.nowMs);
  if (timeRefusal) return refuse(timeRefusal);
  const key = lookup(apiKey);
  if (!key) return refuse(fail(CODE.rejectedKey));
  if (!verifyBinance(verifyingKeyOf(key), binancePayload(query.rest, body.rest), signature)) {
    return refuse(fail(CODE.signature));
  }
  if (key.ipRestrict && !key.ips.includes(req.ip)) return refuse(fail(CODE.rejectedKey));
  return { ok: true, key, params };
}

/**
 * Every parameter of the request. Binance: "If a parameter is sent in both the query string and
 * request body, the query string parameter will be used."
 */
export function requestParams(rawQuery: string, rawBody: string): URLSearchParams {
  const params = new URLSearchParams(rawBody);
  for (const [name, value] of new URLSearchParams(rawQuery)) params.set(name, value);
  return params;
}

/** Binance's timing rule; undefined when the timestamp is acceptable. */
export function checkTime(timestamp: string | null, recvWindow: string | null, nowMs: number): SimFailure | undefined {
  if (timestamp === null || !/^\d{1,19}$/.test(timestamp)) return missing('timestamp');
  if (recvWindow !== null && !/^\d+(\.\d{1,3})?$/.test(recvWindow)) return missing('recvWindow');
  const window = recvWindow === null ? DEFAULT_RECV_WINDOW_MS : Number(recvWindow);
  if (window > MAX_RECV_WINDOW_MS) return fail(CODE.recvWindow);
  // Microsecond timestamps have 16 digits; milliseconds 13 (until the year 2286).
  const requestMs = timestamp.length >= 16 ? Number(timestamp) / 1000 : Number(timestamp);
  if (requestMs >= nowMs + FUTURE_TOLERANCE_MS) {
    return fail(CODE.timestamp, "Timestamp for this request was 1000ms ahead of the server's time.");
  }
  if (nowMs - requestMs > window) return fail(CODE.timestamp);
  return undefined;
}

function verifyingKeyOf(key: SimKey): VerifyingKey {
  if (key.publicKeyPem !== undefined) return { kind: 'asymmetric', publicKeyPem: key.publicKeyPem };
  return { kind: 'hmac', secret: key.secret ?? '' };
}

function refuse(refusal: SimFailure): AuthOutcome {
  return { ok: false, refusal };
}
