// OKX's per-User-ID limits on the endpoints exkey calls, as sliding windows on the simulator's
// clock (the kit's limiter). Sources: OKX API v5 docs, "Sub-account" (create, reset and delete
// the API key of a sub-account: 1 request per second; query it: 20 requests per 2 seconds) and
// "Trading Account → Get account configuration" (5 requests per 2 seconds). OKX answers a breach
// with code 50011 and sends no limit headers.

import type { RateLimiterOptions } from '../../simulator-kit/rate-limit.ts';
import { OKX_RATE_LIMITS, OKX_RATE_WINDOW_MS } from '../limits.ts';

/** Limited endpoints ("METHOD path") and their limits per User ID. */
export const RATE_LIMITS = OKX_RATE_LIMITS;

/** The kit limiter's settings for OKX (plain numbers are per second). */
export function okxRateLimits(enabled: boolean): RateLimiterOptions {
  return { limits: RATE_LIMITS, windowMs: OKX_RATE_WINDOW_MS, enabled };
}
