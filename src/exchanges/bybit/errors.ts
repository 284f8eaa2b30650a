// Bybit puts its verdict in `retCode`, usually under HTTP 200 (sometimes 401/403/404). This
// table turns retCodes into exkey's error kinds; the retCode itself is kept as the error's code.
// Sources: Bybit v5 "Error Codes" page and the gateway's own error table (10000-10030, 33004).

import { ExchangeError, type ExchangeErrorKind } from '../types.ts';

export const VENUE = 'bybit';

/** retCode → kind for every code exkey can meet on the key-management endpoints. */
export const BYBIT_RET_CODE_KINDS: Readonly<Record<number, ExchangeErrorKind>> = {
  10000: 'unavailable', // server timeout
  10001: 'invalid-request', // request parameter error
  10002: 'clock-skew', // timestamp outside [server - recv_window, server + 1000)
  10003: 'auth', // API key invalid (unknown, deleted, wrong environment)
  10004: 'auth', // signature mismatch: wrong secret
  10005: 'permission', // key lacks the permission (e.g. a sub key calling create-sub-api)
  10006: 'rate-limit', // per-UID limit
  10007: 'auth', // user authentication failed
  10008: 'permission', // user banned
  10009: 'permission', // IP banned
  10010: 'permission', // caller IP not bound to the key
  10016: 'unavailable', // internal error / service restarting
  10017: 'invalid-request', // route not found
  10018: 'rate-limit', // per-IP limit
  10019: 'unavailable', // service restarting
  10024: 'permission', // regulatory restriction
  10429: 'rate-limit', // system-level frequency protection
  11008: 'permission', // user banned
  11108: 'permission', // user banned
  33004: 'auth', // API key expired
  [-2015]: 'auth', // (spot) API key expired
};

/**
 * Kind for a retCode. Unknown codes are terminal ('invalid-request'): a human reads the message,
 * rather than exkey retrying blindly against an error it cannot interpret.
 */
export function bybitErrorKind(retCode: number): ExchangeErrorKind {
  return BYBIT_RET_CODE_KINDS[retCode] ?? 'invalid-request';
}

/** What a failed Bybit call told us. */
export interface BybitFailure {
  retCode: number;
  retMsg: string;
  httpStatus?: number;
  retryAfterMs?: number;
}

/** A typed ExchangeError for a non-zero retCode, keeping the retCode as `code`. */
export function bybitError(failure: BybitFailure): ExchangeError {
  const kind = bybitErrorKind(failure.retCode);
  const retryAfterMs = failure.retryAfterMs ?? defaultRetryAfter(kind);
  return new ExchangeError({
    venue: VENUE,
    kind,
    code: String(failure.retCode),
    message: `bybit: ${failure.retMsg || 'request failed'} (retCode ${failure.retCode})`,
    ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * An ExchangeError for a response without a Bybit envelope. Bybit documents 401 as "wrong key or
 * missing auth headers", 403 as "IP rate limit breached (or a banned region)" with a ban of
 * several minutes, and 404 as "wrong path".
 */
export function bybitHttpError(status: number, body: string): ExchangeError {
  const detail = body.trim().slice(0, 200);
  const base = { venue: VENUE, code: String(status), httpStatus: status };
  const message = `bybit: HTTP ${status}${detail === '' ? '' : `: ${detail}`}`;
  if (status === 401) return new ExchangeError({ ...base, kind: 'auth', message });
  if (status === 403) {
    return new ExchangeError({ ...base, kind: 'rate-limit', message, retryAfterMs: IP_BAN_MS });
  }
  if (status >= 400 && status < 500) return new ExchangeError({ ...base, kind: 'invalid-request', message });
  return new ExchangeError({ ...base, kind: 'unavailable', message });
}

/** A success envelope whose result is not what Bybit documents. */
export function bybitBadResponse(what: string): ExchangeError {
  return new ExchangeError({
    venue: VENUE,
    kind: 'unavailable',
    code: 'bad-response',
    message: `bybit: unexpected response: ${what}`,
  });
}

/** An exkey-side refusal before anything is sent. */
export function bybitInvalidRequest(message: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'invalid-request', code: 'invalid-request', message: `bybit: ${message}` });
}

// Bybit's IP ban after breaching the IP limit lasts about 10 minutes.
const IP_BAN_MS = 10 * 60_000;

function defaultRetryAfter(kind: ExchangeErrorKind): number | undefined {
  // Per-UID windows are one second wide.
  return kind === 'rate-limit' ? 1000 : undefined;
}
