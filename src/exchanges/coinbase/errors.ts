// Coinbase Advanced Trade answers a refused JWT with a bare `401 Unauthorized` (text, no code), and
// other failures with `{error, error_details, message}` JSON under a 4xx. 429 and 5xx are the
// shared HTTP client's; this maps what is left, keeping the HTTP status as the code.

import { ExchangeError, type ExchangeErrorKind } from '../types.ts';

export const VENUE = 'coinbase';

/** HTTP status → kind for the statuses key_permissions can answer. */
export const COINBASE_STATUS_KINDS: Readonly<Record<number, ExchangeErrorKind>> = {
  400: 'invalid-request',
  401: 'auth', // unknown or deleted key, bad signature, expired token, wrong uri: the "refused" signal
  403: 'permission',
  404: 'not-found',
};

/** A typed ExchangeError for a non-2xx answer the shared client handed back. */
export function coinbaseHttpError(status: number, body: string): ExchangeError {
  const detail = body.trim().slice(0, 200);
  return new ExchangeError({
    venue: VENUE,
    kind: COINBASE_STATUS_KINDS[status] ?? 'invalid-request',
    code: String(status),
    httpStatus: status,
    message: `coinbase: HTTP ${status}${detail === '' ? '' : `: ${detail}`}`,
  });
}

/** A 2xx answer not shaped as documented. */
export function coinbaseBadResponse(what: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'unavailable', code: 'bad-response', message: `coinbase: unexpected response: ${what}` });
}

/** An exkey-side refusal before anything is sent. */
export function coinbaseInvalidRequest(message: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'invalid-request', code: 'invalid-request', message: `coinbase: ${message}` });
}
