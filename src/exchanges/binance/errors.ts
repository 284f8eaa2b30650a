// Binance answers failures as `{code, msg}` with a negative code and a 4xx status. This table
// turns codes into exkey's error kinds; the code itself is kept as the error's code. Sources:
// binance/binance-spot-api-docs errors.md ("Error codes for Binance", 2025-01-09) for the -1xxx and
// -2xxx codes, the institutional-loan error page for -1131, and the Create Sub-account API Key V2
// page for -9000.

import { ExchangeError, type ExchangeErrorKind } from '../types.ts';

export const VENUE = 'binance';

/** code → kind for every code exkey can meet on the endpoints it calls. */
export const BINANCE_CODE_KINDS: Readonly<Record<number, ExchangeErrorKind>> = {
  [-1000]: 'unavailable', // UNKNOWN
  [-1001]: 'unavailable', // DISCONNECTED: internal error, try again
  [-1002]: 'permission', // UNAUTHORIZED
  [-1003]: 'rate-limit', // TOO_MANY_REQUESTS (request weight, or IP banned until ...)
  [-1006]: 'unavailable', // UNEXPECTED_RESP
  [-1007]: 'unavailable', // TIMEOUT
  [-1008]: 'unavailable', // SERVER_BUSY
  [-1016]: 'unavailable', // SERVICE_SHUTTING_DOWN
  [-1020]: 'invalid-request', // UNSUPPORTED_OPERATION
  [-1021]: 'clock-skew', // INVALID_TIMESTAMP: outside recvWindow, or 1000 ms ahead of server time
  [-1022]: 'auth', // INVALID_SIGNATURE
  [-1100]: 'invalid-request', // ILLEGAL_CHARS
  [-1101]: 'invalid-request', // TOO_MANY_PARAMETERS / duplicate values
  [-1102]: 'invalid-request', // MANDATORY_PARAM_EMPTY_OR_MALFORMED
  [-1103]: 'invalid-request', // UNKNOWN_PARAM
  [-1104]: 'invalid-request', // UNREAD_PARAMETERS
  [-1105]: 'invalid-request', // PARAM_EMPTY
  [-1106]: 'invalid-request', // PARAM_NOT_REQUIRED
  [-1130]: 'invalid-request', // INVALID_PARAMETER
  [-1131]: 'invalid-request', // BAD_RECV_WINDOW: recvWindow must be less than 60000
  [-2014]: 'auth', // BAD_API_KEY_FMT
  [-2015]: 'auth', // REJECTED_MBX_KEY: invalid API-key, IP, or permissions for action
  [-9000]: 'invalid-request', // unsupported operation (e.g. FIX permissions on a non-Ed25519 key)
};

/**
 * Kind for a code. Unknown codes are terminal ('invalid-request'): a human reads the message rather
 * than exkey retrying blindly against an error it cannot interpret.
 */
export function binanceErrorKind(code: number): ExchangeErrorKind {
  return BINANCE_CODE_KINDS[code] ?? 'invalid-request';
}

/** What a failed Binance call told us. */
export interface BinanceFailure {
  code: number;
  msg: string;
  httpStatus?: number;
  retryAfterMs?: number;
}

/** A typed ExchangeError for a `{code, msg}` answer, keeping the code. */
export function binanceError(failure: BinanceFailure): ExchangeError {
  const kind = binanceErrorKind(failure.code);
  return new ExchangeError({
    venue: VENUE,
    kind,
    code: String(failure.code),
    message: `binance: ${failure.msg || 'request failed'} (code ${failure.code})`,
    ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
  });
}

/**
 * An ExchangeError for an answer without a `{code, msg}` body. Binance documents 418 as "IP
 * auto-banned after continuing to send requests after 429s" with Retry-After saying when the ban
 * ends, 403 as a WAF limit violation, and other 4xx as malformed requests (spot "General API
 * Information"). 429 and 5xx never get here: the shared HTTP client turns them into errors first.
 */
export function binanceHttpError(status: number, body: string, retryAfterMs: number | undefined): ExchangeError {
  const detail = body.trim().slice(0, 200);
  const base = { venue: VENUE, code: String(status), httpStatus: status };
  const message = `binance: HTTP ${status}${detail === '' ? '' : `: ${detail}`}`;
  if (status === 418 || status === 403) {
    return new ExchangeError({ ...base, kind: 'rate-limit', message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (status === 401) return new ExchangeError({ ...base, kind: 'auth', message });
  if (status >= 400 && status < 500) return new ExchangeError({ ...base, kind: 'invalid-request', message });
  return new ExchangeError({ ...base, kind: 'unavailable', message });
}

/** A success answer whose body is not what Binance documents. */
export function binanceBadResponse(what: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'unavailable', code: 'bad-response', message: `binance: unexpected response: ${what}` });
}

/** An exkey-side refusal before anything is sent. */
export function binanceInvalidRequest(message: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'invalid-request', code: 'invalid-request', message: `binance: ${message}` });
}
