// The one place that reads the wall clock and arms real timers. Everything else takes a Clock,
// so tests drive time with FakeClock (test/support/fake-clock.ts) instead of sleeping.

/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

/** Time source and timer factory injected into every component that cares about time. */
export interface Clock {
  /** Current time. */
  now(): Date;
  /** Milliseconds since the epoch (same instant as now()). */
  nowMs(): number;
  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms`; the timer never keeps the process alive on its own. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(handle);
        reject(signal?.reason as Error);
      };
      const handle = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  setTimer: (ms, fn) => {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => { clearTimeout(handle); } };
  },
};
