// Kraken's REST limit on the kit's sliding-window limiter. Kraken keeps a call counter per key
// that each private call raises by 1 (ledger and trade history by 2) and that decays at 0.33/s
// on the Starter tier, with a maximum of 15; past it Kraken answers "EAPI:Rate limit exceeded"
// (support.kraken.com "What are the API rate limits?"). A window of 15 calls per 45 s
// (15 / 0.33) approximates that decaying counter.

import type { RateLimiterOptions } from '../../simulator-kit/rate-limit.ts';

/** The Starter tier's maximum counter. */
export const STARTER_MAX_COUNTER = 15;
/** The time the Starter tier takes to decay a full counter. */
export const STARTER_WINDOW_MS = 45_000;

/** The limiter bucket every private call of a key shares. */
export const PRIVATE_BUCKET = 'private';

/** The kit limiter's settings for Kraken. */
export function krakenRateLimits(enabled: boolean): RateLimiterOptions {
  return { limits: { [PRIVATE_BUCKET]: STARTER_MAX_COUNTER }, windowMs: STARTER_WINDOW_MS, enabled };
}
