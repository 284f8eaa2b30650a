// Authenticates one request the way Bybit's gateway does, in the same order: auth headers
// present, timestamp inside [server_time − recv_window, server_time + 1000), key known and live,
// key not expired, signature over the raw bytes received, caller IP bound to the key.
// Pure: the caller supplies the clock reading and the key lookup.

import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { verifyBybitHmac } from '../signing.ts';
import { RET, fail, type RetResult } from './envelope.ts';
import type { SimKey } from './state.ts';

/** Bybit tolerates timestamps up to 1 s ahead of its own clock. */
export const FUTURE_TOLERANCE_MS = 1000;
/** Receive window when X-BAPI-RECV-WINDOW is absent. */
export const DEFAULT_RECV_WINDOW_MS = 5000;

/** The parts of a request authentication looks at, exactly as received, and the venue time. */
export type AuthRequest = Pick<SimRequest, 'method' | 'headers' | 'rawQuery' | 'rawBody' | 'ip'> & { nowMs: number };

/** Either the authenticated key or Bybit's refusal. */
export type AuthOutcome = { ok: true; key: SimKey } | { ok: false; refusal: RetResult };

/** Runs Bybit's checks; `lookup` finds a live key by its public id. */
export function authenticate(req: AuthRequest, lookup: (apiKey: string) => SimKey | undefined): AuthOutcome {
  const h = authHeaders(req.headers);
  if (h.apiKey === '') return refuse(RET.apiKey);
  if (h.timestamp === '' || h.sign === '') {
    return refuse(RET.params, `empty value: apiTimestamp[${h.timestamp}] apiKey[${h.apiKey}] apiSignature[${h.sign}]`);
  }
  const timeRefusal = checkTime(h.timestamp, h.recvWindow, req.nowMs);
  if (timeRefusal) return { ok: false, refusal: timeRefusal };
  const key = lookup(h.apiKey);
  if (!key) return refuse(RET.apiKey);
  if (key.expiresAtMs !== undefined && req.nowMs >= key.expiresAtMs) return refuse(RET.expired);
  const payload = req.method === 'GET' ? Buffer.from(req.rawQuery, 'utf8') : req.rawBody;
  const signInput = { timestamp: h.timestamp, apiKey: h.apiKey, recvWindow: h.recvWindow, payload };
  if (!verifyBybitHmac(key.secret, signInput, h.sign)) {
    // Like production Bybit: the origin string (never the secret) helps callers debug.
    return refuse(RET.sign, `error sign! origin_string[${h.timestamp}${h.apiKey}${h.recvWindow}${payload.toString('utf8')}]`);
  }
  if (key.ips.length > 0 && !key.ips.includes(req.ip)) return refuse(RET.ip);
  return { ok: true, key };
}

function authHeaders(headers: AuthRequest['headers']): Record<'apiKey' | 'timestamp' | 'sign' | 'recvWindow', string> {
  return {
    apiKey: headers['x-bapi-api-key'] ?? '',
    timestamp: headers['x-bapi-timestamp'] ?? '',
    sign: headers['x-bapi-sign'] ?? '',
    // Signed as sent: '' when absent, while the window itself defaults to 5000.
    recvWindow: headers['x-bapi-recv-window'] ?? '',
  };
}

/** Bybit's time rule; undefined when the timestamp is acceptable. */
export function checkTime(timestamp: string, recvWindow: string, nowMs: number): RetResult | undefined {
  if (!/^\d+$/.test(timestamp)) return fail(RET.params, 'openapi params error! req_timestamp invalid');
  if (recvWindow !== '' && !/^\d+$/.test(recvWindow)) {
    return fail(RET.params, 'openapi params error! recv_window invalid');
  }
  const requestTime = Number(timestamp);
  const window = recvWindow === '' ? DEFAULT_RECV_WINDOW_MS : Number(recvWindow);
  if (requestTime >= nowMs + FUTURE_TOLERANCE_MS || requestTime < nowMs - window) {
    return fail(
      RET.timestamp,
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${requestTime}],server_timestamp[${nowMs}],recv_window[${window}]`,
    );
  }
  return undefined;
}

function refuse(retCode: number, retMsg?: string): AuthOutcome {
  return { ok: false, refusal: retMsg === undefined ? fail(retCode) : fail(retCode, retMsg) };
}
