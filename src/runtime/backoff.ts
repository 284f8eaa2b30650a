// Retry delays for the work queue and the informer, modelled on client-go's default controller
// rate limiter: a per-key exponential backoff combined with an overall token bucket, so one
// failing key backs off on its own while a burst of failures across many keys (an exchange
// outage) cannot turn into a retry storm.

import type { Clock } from './clock.ts';

/** Decides how long a key waits before its next retry; one instance per queue. */
export interface RateLimiter<K extends string> {
  /** Records one more failure of `key` and returns the delay before retrying it, in ms. */
  when(key: K): number;
  /** Clears `key`'s failure history (called after a success or a terminal error). */
  forget(key: K): void;
  /** Failures recorded for `key` since it was last forgotten. */
  retries(key: K): number;
}

/** Parameters of a capped exponential backoff. */
export interface ExponentialOptions {
  /** Delay after the first failure. */
  baseMs: number;
  /** Upper bound of the delay. */
  maxMs: number;
  /**
   * Fraction of the delay taken off at random (0..1): 0.2 spreads retries over [0.8d, d]. Jitter is
   * subtracted rather than added so that `maxMs` stays a true cap.
   */
  jitter?: number;
  /** Source of randomness in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** The delay after `failures` previous failures: base * 2^failures, capped, with jitter. */
export function exponentialDelay(failures: number, options: ExponentialOptions): number {
  // 2^failures overflows to Infinity long before it matters; min() keeps the cap exact.
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, failures));
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0));
  if (jitter === 0) return raw;
  const random = options.random ?? Math.random;
  return Math.round(raw * (1 - jitter * random()));
}

/** Per-key exponential backoff (client-go's ItemExponentialFailureRateLimiter). */
export function exponentialRateLimiter<K extends string>(options: ExponentialOptions): RateLimiter<K> {
  const failures = new Map<K, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      return exponentialDelay(n, options);
    },
    forget(key) {
      failures.delete(key);
    },
    retries(key) {
      return failures.get(key) ?? 0;
    },
  };
}

/** Parameters of the overall token bucket. */
export interface BucketOptions {
  /** Sustained retries per second across all keys. */
  qps: number;
  /** Retries allowed at once before the rate applies. */
  burst: number;
  clock: Clock;
}

/**
 * An overall token bucket (client-go's BucketRateLimiter). Each call reserves a token, possibly
 * one not yet refilled, and returns how long until it is; it keeps no per-key state.
 */
export function bucketRateLimiter<K extends string>(options: BucketOptions): RateLimiter<K> {
  let tokens = options.burst;
  let last = options.clock.nowMs();
  return {
    when() {
      const now = options.clock.nowMs();
      tokens = Math.min(options.burst, tokens + ((now - last) / 1000) * options.qps);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : Math.ceil((-tokens / options.qps) * 1000);
    },
    forget() {
      // The bucket is shared by every key: there is nothing per key to forget.
    },
    retries() {
      return 0;
    },
  };
}

/** Combines limiters: the longest delay wins; failures are counted by the first that counts them. */
export function maxOfRateLimiters<K extends string>(...limiters: RateLimiter<K>[]): RateLimiter<K> {
  return {
    when(key) {
      return limiters.reduce((longest, limiter) => Math.max(longest, limiter.when(key)), 0);
    },
    forget(key) {
      for (const limiter of limiters) limiter.forget(key);
    },
    retries(key) {
      return limiters.reduce((most, limiter) => Math.max(most, limiter.retries(key)), 0);
    },
  };
}

/** Defaults of the controller rate limiter (see defaultRateLimiter). */
export const DEFAULT_BACKOFF = {
  baseMs: 100,
  maxMs: 5 * 60_000,
  qps: 10,
  burst: 100,
} as const;

/**
 * The queue's default: per key 100 ms doubling to 5 min, and at most 10 retries/s overall after a
 * burst of 100. client-go starts at 5 ms; 100 ms suits reconciles that call an exchange, and
 * 5 min (not client-go's 16 min) keeps a key whose venue recovered from waiting too long.
 */
export function defaultRateLimiter<K extends string>(
  clock: Clock,
  overrides: Partial<ExponentialOptions> = {},
): RateLimiter<K> {
  return maxOfRateLimiters<K>(
    exponentialRateLimiter({ baseMs: DEFAULT_BACKOFF.baseMs, maxMs: DEFAULT_BACKOFF.maxMs, ...overrides }),
    bucketRateLimiter({ qps: DEFAULT_BACKOFF.qps, burst: DEFAULT_BACKOFF.burst, clock }),
  );
}
