// Kraken answers `{error: ["<severity><category>:<message>"], result}`, usually under HTTP 200.
// This table turns those strings into exkey's error kinds; the string itself is kept as the code.
// Source: Kraken support "API error messages" (support.kraken.com/hc/en-us/articles/360001491786).

import { ExchangeError, type ExchangeErrorKind } from '../types.ts';

export const VENUE = 'kraken';

/** Error string → kind, for every error GetApiKeyInfo can meet. */
export const KRAKEN_ERROR_KINDS: Readonly<Record<string, ExchangeErrorKind>> = {
  'EAPI:Invalid key': 'auth', // unknown, deleted or expired key: the "old key is refused" signal
  'EAPI:Invalid signature': 'auth', // wrong secret
  'EAPI:Invalid nonce': 'clock-skew', // not above the key's high-water mark (a shared key raced us)
  'EAPI:Rate limit exceeded': 'rate-limit',
  'EAPI:Feature disabled': 'permission',
  'EAPI:Bad request': 'invalid-request',
  'EGeneral:Permission denied': 'permission', // the key may not do this (or not from this IP)
  'EGeneral:Invalid arguments': 'invalid-request',
  'EGeneral:Temporary lockout': 'rate-limit',
  'EGeneral:Internal error': 'unavailable',
  'EService:Unavailable': 'unavailable',
  'EService:Busy': 'unavailable',
  'EService:Deadline elapsed': 'unavailable',
};

/** Kind for an error string; matched by its "E<Category>:<message>" head, terminal when unknown. */
export function krakenErrorKind(error: string): ExchangeErrorKind {
  const exact = KRAKEN_ERROR_KINDS[error];
  if (exact !== undefined) return exact;
  // Kraken appends details after a further colon ("EGeneral:Invalid arguments:ordertype").
  const head = error.split(':').slice(0, 2).join(':');
  return KRAKEN_ERROR_KINDS[head] ?? 'invalid-request';
}

// Kraken's Starter tier decays one call every 3 s.
const RATE_LIMIT_RETRY_MS = 3000;

/** A typed ExchangeError for Kraken's error list (the first entry decides). */
export function krakenError(errors: readonly string[], httpStatus: number): ExchangeError {
  const first = errors[0] ?? 'EGeneral:Unknown error';
  const kind = krakenErrorKind(first);
  return new ExchangeError({
    venue: VENUE,
    kind,
    code: first,
    httpStatus,
    message: `kraken: ${errors.join(', ')}`,
    ...(kind === 'rate-limit' ? { retryAfterMs: RATE_LIMIT_RETRY_MS } : {}),
  });
}

/** An answer that is not Kraken's envelope, or a result not shaped as documented. */
export function krakenBadResponse(what: string, httpStatus?: number): ExchangeError {
  return new ExchangeError({
    venue: VENUE,
    kind: httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500 ? 'invalid-request' : 'unavailable',
    code: httpStatus === undefined ? 'bad-response' : String(httpStatus),
    ...(httpStatus === undefined ? {} : { httpStatus }),
    message: `kraken: unexpected response: ${what}`,
  });
}

/** An exkey-side refusal before anything is sent. */
export function krakenInvalidRequest(message: string): ExchangeError {
  return new ExchangeError({ venue: VENUE, kind: 'invalid-request', code: 'invalid-request', message: `kraken: ${message}` });
}
