// Sliding-window request limits keyed by (caller, endpoint), on the simulator's clock. The venue
// supplies the per-endpoint limits and the window, names the caller (Bybit: the UID; a venue
// limiting by IP passes the IP), and turns a decision into its own answer and headers.

/** The verdict for one request. */
export interface RateDecision {
  allowed: boolean;
  /** The endpoint's limit per window. */
  limit: number;
  /** What the caller may still spend in the current window. */
  remaining: number;
  /** When the oldest counted request leaves the window (epoch ms). */
  resetAtMs: number;
}

/** One endpoint's limit with a window of its own (venues mix per-second and per-2-seconds limits). */
export interface EndpointLimit {
  limit: number;
  windowMs: number;
}

/** Settings of a limiter. */
export interface RateLimiterOptions {
  /** Limit per window, by endpoint (a number uses `windowMs`); endpoints not listed are not limited. */
  limits: Readonly<Record<string, number | EndpointLimit>>;
  /** The window of limits given as plain numbers. */
  windowMs: number;
  /** false answers every request as unlimited until setEnabled(true). */
  enabled: boolean;
}

/** Per (caller, endpoint) request costs within the current window. */
export interface RateLimiter {
  /** Counts a request of `cost` (1 by default) and decides; undefined when unlimited or limits are off. */
  take(caller: string, endpoint: string, nowMs: number, cost?: number): RateDecision | undefined;
  setEnabled(enabled: boolean): void;
  enabled(): boolean;
  /** Forgets every counted request. */
  reset(): void;
}

interface Hit {
  at: number;
  cost: number;
}

/** Creates a limiter; a refused request is not counted (as the venues do). */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  let on = options.enabled;
  const hits = new Map<string, Hit[]>();
  return {
    take: (caller, endpoint, nowMs, cost = 1) => {
      const rule = options.limits[endpoint];
      if (!on || rule === undefined) return undefined;
      const { limit, windowMs } = typeof rule === 'number' ? { limit: rule, windowMs: options.windowMs } : rule;
      const bucket = `${caller} ${endpoint}`;
      const recent = (hits.get(bucket) ?? []).filter((h) => h.at > nowMs - windowMs);
      const allowed = spent(recent) + cost <= limit;
      if (allowed) recent.push({ at: nowMs, cost });
      hits.set(bucket, recent);
      return {
        allowed,
        limit,
        remaining: Math.max(0, limit - spent(recent)),
        resetAtMs: (recent[0]?.at ?? nowMs) + windowMs,
      };
    },
    setEnabled: (value) => { on = value; },
    enabled: () => on,
    reset: () => { hits.clear(); },
  };
}

function spent(hits: readonly Hit[]): number {
  return hits.reduce((sum, h) => sum + h.cost, 0);
}
