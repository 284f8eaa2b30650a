// Deribit answers failures as a JSON-RPC error object `{code, message, data?}`. This table turns
// those codes into exkey's error kinds; the code itself is kept as the error's code.
// Source: Deribit API v2.1.1 "RPC Error Codes" (rosssaunders/coincise docs/deribit/general.md) and
// "Security keys" (docs/deribit/response_formats.md) for the TFA answers.

import { ExchangeError, type ExchangeErrorKind } from '../types.ts';

export const VENUE = 'deribit';

/** The JSON-RPC code → kind for every code exkey can meet on the calls it makes. */
export const DERIBIT_ERROR_KINDS: Readonly<Record<number, ExchangeErrorKind>> = {
  10000: 'auth', // authorization_required: invalid or absent signature
  10028: 'rate-limit', // too_many_requests: the sub-account's credit pool is empty
  10040: 'unavailable', // retry: "should be retried"
  10041: 'unavailable', // settlement_in_progress: a few seconds daily
  10047: 'rate-limit', // matching_engine_queue_full
  10066: 'rate-limit', // too_many_concurrent_requests
  11029: 'invalid-request', // invalid_arguments
  11042: 'permission', // permission_denied
  11043: 'invalid-request', // bad_argument
  11049: 'invalid-request', // bad_arguments
  11050: 'invalid-request', // bad_request
  11051: 'unavailable', // system_maintenance
  11094: 'unavailable', // internal_server_error
  11098: 'permission', // account_locked
  12998: 'rate-limit', // security_key_authorization_over_limit: wait `wait` seconds
  13004: 'auth', // invalid_credentials: unknown client_id, wrong secret, disabled key
  13009: 'auth', // unauthorized: wrong or expired token, or bad signature
  13012: 'permission', // unavailable_in_subaccount
  13021: 'permission', // forbidden: the token's scope does not allow the method
  13025: 'unavailable', // method_switched_off_by_admin
  13028: 'unavailable', // temporarily_unavailable
  13403: 'permission', // scope_exceeded: a key may only manage keys up to its own scope
  13503: 'unavailable', // unavailable
  13668: 'permission', // security_key_authorization_error: a TFA answer was wrong
  13888: 'unavailable', // timed_out
  [-32600]: 'invalid-request', // request entity too large
  [-32601]: 'invalid-request', // Method not found
  [-32602]: 'invalid-request', // Invalid params
  [-32700]: 'invalid-request', // Parse error
  [-32000]: 'invalid-request', // Missing params
};

/** Codes that mean "this signature was refused": a stale timestamp shows up as one of these. */
const SIGNATURE_REFUSALS: ReadonlySet<number> = new Set([10000, 13004, 13009]);

/** Deribit signatures are valid for 60 s after their timestamp ("Deribit signature credentials"). */
export const SIGNATURE_VALIDITY_MS = 60_000;

/**
 * The code exkey records when Deribit answers a TFA-protected method with
 * `security_key_authorization_required` instead of a result (not an RPC error).
 */
export const TFA_REQUIRED = 'security_key_authorization_required';

/** Kind for a code. Unknown codes are terminal: a human reads the message instead of exkey retrying blindly. */
export function deribitErrorKind(code: number): ExchangeErrorKind {
  return DERIBIT_ERROR_KINDS[code] ?? 'invalid-request';
}

/** What a failed Deribit call told us. */
export interface DeribitFailure {
  code: number;
  message: string;
  /** `data.reason` when the venue gave one. */
  reason?: string;
  httpStatus?: number;
  /** Server receive time (`usIn`, µs) and the timestamp we signed with, to recognise clock skew. */
  serverUs?: number;
  signedAtMs?: number;
}

/**
 * A typed ExchangeError for an RPC error, keeping the code. Deribit has no code of its own for a
 * stale timestamp (it refuses the signature), so a signature refusal whose `usIn` lies outside
 * the 60 s window around our timestamp is reported as 'clock-skew'.
 */
export function deribitError(failure: DeribitFailure): ExchangeError {
  const kind = isClockSkew(failure) ? 'clock-skew' : deribitErrorKind(failure.code);
  // Deribit sends no Retry-After; one second comfortably refills one request's credits (500 of 10,000/s).
  const retryAfterMs = kind === 'rate-limit' ? 1000 : undefined;
  const reason = failure.reason === undefined || failure.reason === '' ? '' : `: ${failure.reason}`;
  return new ExchangeError({
    venue: VENUE,
    kind,
    code: String(failure.code),
    message: `deribit: ${failure.message || 'request failed'}${reason} (code ${failure.code})`,
    ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function isClockSkew(failure: DeribitFailure): boolean {
  if (!SIGNATURE_REFUSALS.has(failure.code) || failure.serverUs === undefined || failure.signedAtMs === undefined) return false;
  return Math.abs(failure.serverUs / 1000 - failure.signedAtMs) >= SIGNATURE_VALIDITY_MS;
}

/** The refusal exkey reports when a TFA-protected method asks for a security key. */
export function deribitTfaRequired(method: string): ExchangeError {
  return new ExchangeError({
    venue: VENUE,
    kind: 'permission',
    code: TFA_REQUIRED,
    message:
      `deribit: ${method} asks for a security key (TFA) confirmation; exkey cannot answer one. ` +
      'Turn off TFA for API key management on the managing account, or manage this key by hand',
  });
}

/** An answer whose body is not a Deribit JSON-RPC response, judged by its HTTP status. */
export function deribitHttpError(status: number, body: string): ExchangeError {
  const detail = body.trim().slice(0, 200);
  const kind: ExchangeErrorKind = status === 401 ? 'auth' : status >= 500 ? 'unavailable' : 'invalid-request';
  return new ExchangeError({
    venue: VENUE,
    kind,
    code: String(status),
    httpStatus: status,
    message: `deribit: HTTP ${status}${detail === '' ? '' : `: ${detail}`}`,
  });
}

/** A success whose result is not what Deribit documents. */
export function deribitBadResponse(what: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'unavailable', code: 'bad-response', message: `deribit: unexpected response: ${what}` });
}

/** An exkey-side refusal before anything is sent. */
export function deribitInvalidRequest(message: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'invalid-request', code: 'invalid-request', message: `deribit: ${message}` });
}
