// Bybit's per-UID limits on the key-management endpoints, as sliding one-second windows on the
// simulator's clock (the kit's limiter). Bybit answers a breach with retCode 10006 (HTTP 200) and
// reports the window in X-Bapi-Limit, X-Bapi-Limit-Status and X-Bapi-Limit-Reset-Timestamp on
// every limited call.

import type { RateDecision, RateLimiterOptions } from '../../simulator-kit/rate-limit.ts';
import { BYBIT_RATE_LIMITS, BYBIT_RATE_WINDOW_MS } from '../limits.ts';

/** Limited endpoints and their requests per second per UID (Bybit's published limits). */
export const RATE_LIMITS = BYBIT_RATE_LIMITS;

/** The kit limiter's settings for Bybit. */
export function bybitRateLimits(enabled: boolean): RateLimiterOptions {
  return { limits: RATE_LIMITS, windowMs: BYBIT_RATE_WINDOW_MS, enabled };
}

/** The X-Bapi-Limit* headers Bybit attaches to a limited call. */
export function bybitLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    'X-Bapi-Limit': String(decision.limit),
    'X-Bapi-Limit-Status': String(decision.remaining),
    'X-Bapi-Limit-Reset-Timestamp': String(decision.resetAtMs),
  };
}
