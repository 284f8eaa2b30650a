// Client-side pacing of calls to a venue's published per-endpoint limits (Bybit: one create per
// second per UID; OKX: one create, modify or delete per second per User ID), so exkey spaces its
// own calls instead of being refused and backing off. The same sliding window the simulators
// enforce (simulator-kit/rate-limit.ts): one implementation of each venue's limits, both sides.
import type { Clock } from '../runtime/clock.ts';
import { createRateLimiter, type EndpointLimit } from './simulator-kit/rate-limit.ts';

/** Extra wait past a window's end, for network latency and clock granularity between exkey and the venue. */
export const PACING_MARGIN_MS = 100;

/** Waits until a call fits its endpoint's limit. */
export interface Pacer {
  /** Resolves once `caller` may call `endpoint` (at once for endpoints without a limit), counting the call. */
  wait(caller: string, endpoint: string, cost?: number): Promise<void>;
}

/** Settings of a pacer: the venue's published limits, as its simulator uses them. */
export interface PacerOptions {
  clock: Clock;
  limits: Readonly<Record<string, number | EndpointLimit>>;
  /** Window of limits given as plain numbers. */
  windowMs: number;
}

/** Creates a pacer; concurrent callers of one bucket go through one window slot at a time. */
export function createPacer(options: PacerOptions): Pacer {
  const limiter = createRateLimiter({ limits: options.limits, windowMs: options.windowMs, enabled: true });
  return {
    async wait(caller, endpoint, cost) {
      for (;;) {
        const now = options.clock.nowMs();
        const decision = limiter.take(caller, endpoint, now, cost);
        if (!decision || decision.allowed) return;
        // The venue counts a call when it arrives, a little after it was counted here: wait a
        // margin past the window so the venue's own window has moved on too.
        await options.clock.sleep(Math.max(1, decision.resetAtMs - now) + PACING_MARGIN_MS);
      }
    },
  };
}

/** A pacer when `enabled`, else undefined (calls go out at once). */
export function pacerIf(enabled: boolean | undefined, options: PacerOptions): Pacer | undefined {
  return enabled === true ? createPacer(options) : undefined;
}

/** `{ pacer }` for client options when there is one (exactOptionalPropertyTypes-friendly). */
export function paced(pacer: Pacer | undefined): { pacer?: Pacer } {
  return pacer ? { pacer } : {};
}
