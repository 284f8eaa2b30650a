// The venue-independent state of a running simulator (faults, rate limiter, request log) and the
// control-API hooks over it. A venue simulator holds one core next to its own account state.

import type { Clock } from '../../runtime/clock.ts';
import type { AdminControls, AdminKeys } from './admin.ts';
import {
  createFaultStore,
  parseFaultSpec,
  type Fault,
  type FaultSpec,
  type FaultStore,
  type VenueFaultAction,
  type VenueFaultKind,
} from './faults.ts';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limit.ts';
import { createRequestLog, type RequestLog } from './request-log.ts';

/** Settings of a simulator core. */
export interface SimCoreOptions<V extends VenueFaultAction> {
  /** Venue time: rate-limit windows and request-log stamps. */
  clock: Clock;
  venueFault: VenueFaultKind<V>;
  /** pathPrefix for faults that name none (the venue's API root, e.g. '/v5/'). */
  defaultPathPrefix: string;
  rateLimits: RateLimiterOptions;
  /** Decides probabilistic faults; Math.random by default. */
  random?: () => number;
}

/** Settings of a venue simulator that are not part of its account. */
export interface SimSettings {
  /** Venue time. */
  clock: Clock;
  /** Whether the venue's rate limits are enforced. */
  rateLimits: boolean;
  /** Decides probabilistic faults; Math.random by default. */
  random?: () => number;
}

/** The control surface every simulator offers tests and the admin API (views never carry secrets). */
export interface SimControls<V extends VenueFaultAction, R extends object> {
  /** Validates and registers a fault; throws a readable Error when malformed. */
  addFault(spec: FaultSpec<V>): Fault<V>;
  listFaults(): Fault<V>[];
  /** Removes every fault; returns how many there were. */
  clearFaults(): number;
  /** Most recent last; at most RECENT_REQUESTS entries. */
  recentRequests(): Array<{ at: string } & R>;
  setRateLimits(enabled: boolean): void;
  /** Back to the initial venue state, no faults, no history, fresh limits. */
  reset(): void;
}

/** Faults, limits and history of one simulator. R is the venue's request-log entry. */
export interface SimCore<V extends VenueFaultAction, R extends object> {
  clock: Clock;
  faults: FaultStore<V>;
  limiter: RateLimiter;
  requests: RequestLog<R>;
  /** The control surface; reset() runs `resetVenue` (the venue's account) as well. */
  controls(resetVenue: () => void): SimControls<V, R>;
  /** Control-API hooks over `controls` and the venue's keys. */
  adminControls(keys: AdminKeys, controls: SimControls<V, R>): AdminControls<V>;
}

/** Creates a core with no faults and no history. */
export function createSimCore<V extends VenueFaultAction, R extends object>(options: SimCoreOptions<V>): SimCore<V, R> {
  const faults = createFaultStore({
    venue: options.venueFault,
    defaultPathPrefix: options.defaultPathPrefix,
    ...(options.random ? { random: options.random } : {}),
  });
  const limiter = createRateLimiter(options.rateLimits);
  const requests = createRequestLog<R>(options.clock);
  return {
    clock: options.clock,
    faults,
    limiter,
    requests,
    controls: (resetVenue) => ({
      addFault: (spec) => faults.add(spec),
      listFaults: () => faults.list(),
      clearFaults: () => faults.clear(),
      recentRequests: () => requests.list(),
      setRateLimits: (enabled) => { limiter.setEnabled(enabled); },
      reset: () => {
        resetVenue();
        faults.clear();
        limiter.reset();
        requests.clear();
      },
    }),
    adminControls: (keys, controls) => ({ keys, sim: controls, readFault: (body) => parseFaultSpec(body, options.venueFault) }),
  };
}
