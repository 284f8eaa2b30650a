// Binance's SAPI request-weight limits on the simulator's clock (the kit's limiter, one bucket per
// endpoint and caller, each request counting its weight). Source: Binance "Rate limits" for /sapi/*
// (developers.binance.com, CAAS basics): each IP-limited endpoint has an independent 12,000 per
// minute per IP, each UID-limited endpoint an independent 180,000 per minute per UID; the used
// weight is reported in X-SAPI-USED-IP-WEIGHT-1M / X-SAPI-USED-UID-WEIGHT-1M, and a breach is
// always a 429 (the 418 IP-ban escalation applies to /api/* only) with Retry-After in seconds.

import type { RateDecision, RateLimiterOptions } from '../../simulator-kit/rate-limit.ts';
import { SIGNED_ROUTES } from './routes.ts';

/** Weight per minute an IP may spend on one IP-limited endpoint. */
export const IP_WEIGHT_PER_MINUTE = 12_000;
/** Weight per minute a UID may spend on one UID-limited endpoint. */
export const UID_WEIGHT_PER_MINUTE = 180_000;

/** The limiter bucket of a route ("uid /sapi/..." or "ip /sapi/..."). */
export function bucketOf(routeKey: string, per: 'uid' | 'ip'): string {
  return `${per} ${routeKey}`;
}

/** The kit limiter's settings for Binance: one limit per signed route. */
export function binanceRateLimits(enabled: boolean): RateLimiterOptions {
  const limits: Record<string, number> = {};
  for (const [routeKey, route] of Object.entries(SIGNED_ROUTES)) {
    limits[bucketOf(routeKey, route.weight.per)] = route.weight.per === 'uid' ? UID_WEIGHT_PER_MINUTE : IP_WEIGHT_PER_MINUTE;
  }
  return { limits, windowMs: 60_000, enabled };
}

/** The used-weight header Binance attaches to a limited call. */
export function binanceLimitHeaders(per: 'uid' | 'ip', decision: RateDecision): Record<string, string> {
  const name = per === 'uid' ? 'X-SAPI-USED-UID-WEIGHT-1M' : 'X-SAPI-USED-IP-WEIGHT-1M';
  return { [name]: String(decision.limit - decision.remaining) };
}

/** Retry-After (seconds) and the message of a breach. */
export function breachAnswer(per: 'uid' | 'ip', decision: RateDecision, nowMs: number): { retryAfterSeconds: number; msg: string } {
  return {
    retryAfterSeconds: Math.max(1, Math.ceil((decision.resetAtMs - nowMs) / 1000)),
    msg: `Too much request weight used; current limit is ${decision.limit} request weight per 1 MINUTE${per === 'uid' ? ' per UID' : ''}. Please use WebSocket Streams for live updates to avoid polling the API.`,
  };
}
