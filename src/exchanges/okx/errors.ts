// OKX puts its verdict in the envelope's string `code`, under HTTP 200 for business errors and
// 401/400/429 for gateway ones. This table turns codes into exkey's error kinds; the code itself
// is kept as the error's code. Sources: OKX API v5 docs, "Error Code → REST API → Public"
// (50000-53999) and "→ Account" (59000-59999), as scraped in rosssaunders/coincise.

import { ExchangeError, type ExchangeErrorKind } from '../types.ts';

export const VENUE = 'okx';

/** code → kind for every code exkey can meet on the endpoints it calls. */
export const OKX_CODE_KINDS: Readonly<Record<string, ExchangeErrorKind>> = {
  '50000': 'invalid-request', // body for POST cannot be empty
  '50001': 'unavailable', // service temporarily unavailable (503)
  '50002': 'invalid-request', // JSON syntax error
  '50004': 'unavailable', // endpoint request timeout
  '50005': 'invalid-request', // endpoint inactive (410)
  '50006': 'invalid-request', // invalid Content-Type
  '50007': 'permission', // user blocked
  '50008': 'auth', // user doesn't exist
  '50009': 'permission', // account frozen (stop-out)
  '50011': 'rate-limit', // rate limit reached / Too Many Requests
  '50012': 'permission', // account status invalid
  '50013': 'unavailable', // systems are busy
  '50014': 'invalid-request', // parameter can not be empty
  '50026': 'unavailable', // system error
  '50030': 'permission', // no permission to use this endpoint
  '50035': 'permission', // endpoint requires an IP-bound API key (the master key)
  '50040': 'rate-limit', // too frequent operations
  '50061': 'rate-limit', // account-level order rate limit
  '50100': 'auth', // API frozen
  '50101': 'auth', // API key does not match the environment (live vs demo)
  '50102': 'clock-skew', // timestamp request expired
  '50103': 'auth', // OK-ACCESS-KEY empty
  '50104': 'auth', // OK-ACCESS-PASSPHRASE empty
  '50105': 'auth', // OK-ACCESS-PASSPHRASE incorrect
  '50106': 'auth', // OK-ACCESS-SIGN empty
  '50107': 'auth', // OK-ACCESS-TIMESTAMP empty
  '50110': 'permission', // caller IP not in the key's allowlist
  '50111': 'auth', // invalid OK-ACCESS-KEY
  '50112': 'auth', // invalid OK-ACCESS-TIMESTAMP (format)
  '50113': 'auth', // invalid signature
  '50114': 'auth', // invalid authorization
  '50115': 'invalid-request', // invalid request method
  '50119': 'auth', // API key doesn't exist
  '50120': 'permission', // key lacks the permission for this function
  '50121': 'permission', // IP may not access the service
  '51000': 'invalid-request', // parameter error
  '59500': 'permission', // only the main account's API key may do this
  '59501': 'invalid-request', // at most 50 API keys per account
  '59502': 'invalid-request', // note (label) already exists
  '59503': 'invalid-request', // at most 20 IP addresses per key
  '59504': 'invalid-request', // sub-accounts don't support withdrawals
  '59505': 'invalid-request', // passphrase format incorrect
  '59506': 'not-found', // API key doesn't exist
  '59508': 'permission', // sub-account suspended
  '59510': 'invalid-request', // sub-account does not exist
};

/**
 * Kind for a code. Unknown codes are terminal ('invalid-request'): a human reads the message,
 * rather than exkey retrying blindly against an error it cannot interpret.
 */
export function okxErrorKind(code: string): ExchangeErrorKind {
  return OKX_CODE_KINDS[code] ?? 'invalid-request';
}

/** What a failed OKX call told us. */
export interface OkxFailure {
  code: string;
  msg: string;
  httpStatus?: number;
  retryAfterMs?: number;
}

/** A typed ExchangeError for a non-zero code, keeping the code. */
export function okxError(failure: OkxFailure): ExchangeError {
  return new ExchangeError({
    venue: VENUE,
    kind: okxErrorKind(failure.code),
    code: failure.code,
    message: `okx: ${failure.msg || 'request failed'} (code ${failure.code})`,
    ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
  });
}

/** An ExchangeError for a response without an OKX envelope, judged by its status alone. */
export function okxHttpError(status: number, body: string): ExchangeError {
  const detail = body.trim().slice(0, 200);
  const base = { venue: VENUE, code: String(status), httpStatus: status };
  const message = `okx: HTTP ${status}${detail === '' ? '' : `: ${detail}`}`;
  if (status === 401) return new ExchangeError({ ...base, kind: 'auth', message });
  if (status === 403) return new ExchangeError({ ...base, kind: 'permission', message });
  if (status >= 400 && status < 500) return new ExchangeError({ ...base, kind: 'invalid-request', message });
  return new ExchangeError({ ...base, kind: 'unavailable', message });
}

/** A success envelope whose data is not what OKX documents. */
export function okxBadResponse(what: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'unavailable', code: 'bad-response', message: `okx: unexpected response: ${what}` });
}

/** An exkey-side refusal before anything is sent. */
export function okxInvalidRequest(message: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'invalid-request', code: 'invalid-request', message: `okx: ${message}` });
}
