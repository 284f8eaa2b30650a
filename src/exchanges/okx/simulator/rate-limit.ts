// OKX's per-User-ID limits on the endpoints exkey calls, as sliding windows on the simulator's
// clock (the kit's limiter). Sources: OKX API v5 docs, "Sub-account" (create, reset and delete
// the API key of a sub-account: 1 request per second; query it: 20 requests per 2 seconds) and
// "Trading Account → Get account configuration" (5 requests per 2 seconds). OKX answers a breach
// with code 50011 and sends no limit headers.

import type { EndpointLimit, RateLimiterOptions } from '../../simulator-kit/rate-limit.ts';

/** Limited endpoints ("METHOD path") and their limits per User ID. */
export const RATE_LIMITS: Readonly<Record<string, number | EndpointLimit>> = {
  'POST /api/v5/users/subaccount/apikey': 1,
  'POST /api/v5/users/subaccount/modify-apikey': 1,
  'POST /api/v5/users/subaccount/delete-apikey': 1,
  'GET /api/v5/users/subaccount/apikey': { limit: 20, windowMs: 2000 },
  'GET /api/v5/account/config': { limit: 5, windowMs: 2000 },
};

/** The kit limiter's settings for OKX (plain numbers are per second). */
export function okxRateLimits(enabled: boolean): RateLimiterOptions {
  return { limits: RATE_LIMITS, windowMs: 1000, enabled };
}
