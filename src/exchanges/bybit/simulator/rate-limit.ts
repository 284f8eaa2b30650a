// Bybit's per-UID limits on the key-management endpoints, as sliding one-second windows on the
// simulator's clock. Bybit answers a breach with retCode 10006 (HTTP 200) and reports the window
// in X-Bapi-Limit, X-Bapi-Limit-Status and X-Bapi-Limit-Reset-Timestamp on every limited call.

/** Limited endpoints and their requests per second per UID (Bybit's published limits). */
export const RATE_LIMITS: Readonly<Record<string, number>> = {
  '/v5/user/create-sub-api': 1,
  '/v5/user/update-sub-api': 5,
  '/v5/user/delete-sub-api': 5,
  '/v5/user/query-api': 10,
};

const WINDOW_MS = 1000;

/** The verdict for one request, with the headers Bybit attaches. */
export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Per (uid, path) request times within the current window. */
export interface RateLimiter {
  /** Counts a request and decides; undefined when the path is not limited or limits are off. */
  take(uid: string, path: string, nowMs: number): RateDecision | undefined;
  setEnabled(enabled: boolean): void;
  enabled(): boolean;
  reset(): void;
}

/** Creates a limiter; `enabled` false answers every request as allowed without headers. */
export function createRateLimiter(enabled: boolean): RateLimiter {
  let on = enabled;
  const hits = new Map<string, number[]>();
  return {
    take: (uid, path, nowMs) => {
      const limit = RATE_LIMITS[path];
      if (!on || limit === undefined) return undefined;
      const bucket = `${uid} ${path}`;
      const recent = (hits.get(bucket) ?? []).filter((at) => at > nowMs - WINDOW_MS);
      const allowed = recent.length < limit;
      if (allowed) recent.push(nowMs);
      hits.set(bucket, recent);
      const resetAt = (recent[0] ?? nowMs) + WINDOW_MS;
      return {
        allowed,
        headers: {
          'X-Bapi-Limit': String(limit),
          'X-Bapi-Limit-Status': String(Math.max(0, limit - recent.length)),
          'X-Bapi-Limit-Reset-Timestamp': String(resetAt),
        },
      };
    },
    setEnabled: (value) => { on = value; },
    enabled: () => on,
    reset: () => { hits.clear(); },
  };
}
