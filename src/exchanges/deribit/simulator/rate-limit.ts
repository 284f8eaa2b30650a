// Deribit's credit-based limit ("Rate Limits" article): each non-matching-engine request costs 500
// credits from the sub-account's pool of 50,000, refilled at 10,000 credits/s; an empty pool
// answers 10028 too_many_requests. The kit's limiter approximates the bucket with a sliding
// five-second window of 50,000 credits (a burst of 100 requests, 20/s sustained) per account.

import type { RateLimiterOptions } from '../../simulator-kit/rate-limit.ts';

/** Credits one request costs. */
export const REQUEST_COST = 500;
/** The endpoint name every authenticated call is charged to (one pool per account). */
export const CREDIT_POOL = 'non_matching_engine';

/** The kit limiter's settings for Deribit. */
export function deribitRateLimits(enabled: boolean): RateLimiterOptions {
  return { limits: { [CREDIT_POOL]: 50_000 }, windowMs: 5000, enabled };
}
