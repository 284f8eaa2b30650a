// The controller work queue, after client-go's rate-limiting queue and controller-runtime's
// reconcile loop. Keys (namespace/name) are de-duplicated while they wait, a key is never handled
// twice at once (an add during handling re-queues it once afterwards), failures back off per key,
// and shutdown can drain in-flight work. pepr's queue does none of this; see STYLE.md.

import { silentLogger, type Logger } from '../observability/logger.ts';
import { defaultRateLimiter, type RateLimiter } from './backoff.ts';
import type { Clock, Timer } from './clock.ts';

/** What a successful handler returns: `requeueAfterMs` asks for another run after that delay. */
export interface Result {
  requeueAfterMs?: number;
}

/** Handles one key; throws to retry with backoff, or throws a TerminalError to give up. */
export type Handler<K extends string> = (key: K, signal: AbortSignal) => Promise<Result>;

/** An error that retrying cannot fix: the key is forgotten; the controller reports it in status. */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** The default terminal-error predicate: only TerminalError is terminal. */
export function isTerminalError(err: unknown): boolean {
  return err instanceof TerminalError;
}

/** How one handler run ended (a label for metrics). */
export type Outcome = 'success' | 'requeue' | 'retry' | 'terminal';

/** Metric hooks; observability implements them with prom-client, so none is imported here. */
export interface WorkQueueObserver<K extends string> {
  /** Keys waiting to run, after every change. */
  depth?(depth: number): void;
  /** A key entered the queue (de-duplicated adds are not counted). */
  added?(key: K): void;
  /** A key was scheduled for a rate-limited retry. */
  retried?(key: K): void;
  /** Time a key waited between being added and its handler starting. */
  waited?(key: K, ms: number): void;
  /** Time one handler run took, and how it ended. */
  worked?(key: K, ms: number, outcome: Outcome): void;
}

/** Construction options of a WorkQueue. */
export interface WorkQueueOptions<K extends string> {
  /** Queue name for logs (usually the controller's name). */
  name: string;
  clock: Clock;
  /** Retry delays; defaults to defaultRateLimiter (100 ms doubling to 5 min, 10/s overall). */
  rateLimiter?: RateLimiter<K>;
  /** Which thrown errors are terminal; defaults to isTerminalError. */
  isTerminal?: (err: unknown) => boolean;
  observer?: WorkQueueObserver<K>;
  logger?: Logger;
}

/** How to shut a queue down. */
export interface ShutdownOptions {
  /** Wait for in-flight handlers; otherwise abort their signal and return at once. */
  drain: boolean;
  /** Longest wait for in-flight handlers when draining (default 30 s); then their signal aborts. */
  timeoutMs?: number;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

interface Delayed {
  at: number;
  timer: Timer;
}

/** A de-duplicating, per-key rate-limited work queue with at most one handler per key in flight. */
export class WorkQueue<K extends string> {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  private readonly isTerminal: (err: unknown) => boolean;
  private readonly observer: WorkQueueObserver<K>;
  private readonly log: Logger;
  // Insertion-ordered, so a Set is both the FIFO and the de-duplication index.
  private readonly waiting = new Set<K>();
  private readonly processing = new Set<K>();
  // Keys added while being processed: re-queued once when their handler finishes.
  private readonly rerun = new Set<K>();
  private readonly delayed = new Map<K, Delayed>();
  private readonly addedAt = new Map<K, number>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private handler: Handler<K> | undefined;
  private concurrency = 0;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions<K>) {
    this.clock = options.clock;
    this.limiter = options.rateLimiter ?? defaultRateLimiter<K>(options.clock);
    this.isTerminal = options.isTerminal ?? isTerminalError;
    this.observer = options.observer ?? {};
    this.log = (options.logger ?? silentLogger()).child({ queue: options.name });
  }

  /** Queues `key` unless it is already waiting; if it is being handled, runs it once more after. */
  add(key: K): void {
    if (this.shuttingDown || this.waiting.has(key) || this.rerun.has(key)) return;
    this.addedAt.set(key, this.clock.nowMs());
    this.observer.added?.(key);
    if (this.processing.has(key)) {
      this.rerun.add(key);
      return;
    }
    this.waiting.add(key);
    this.observer.depth?.(this.waiting.size);
    this.pump();
  }

  /** Queues `key` after `ms`; of several pending delays for one key the earliest deadline wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.nowMs() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimer(ms, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, timer });
  }

  /** Queues `key` after its backoff delay, and counts one more failure for it. */
  addRateLimited(key: K): void {
    this.retryLater(key, 0);
  }

  /** Resets `key`'s backoff (a pending delayed add stays scheduled). */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: K): number {
    return this.limiter.retries(key);
  }

  /** Keys waiting to run (not counting keys in flight or delayed). */
  len(): number {
    return this.waiting.size;
  }

  /** Keys whose handler is running now. */
  inFlight(): number {
    return this.processing.size;
  }

  /** Starts handling keys, at most `concurrency` at once; call once. Results are applied here. */
  run(handler: Handler<K>, concurrency: number): void {
    if (this.handler) throw new Error('WorkQueue.run() may be called only once');
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.handler = handler;
    this.concurrency = concurrency;
    this.pump();
  }

  /**
   * Stops accepting keys and drops those waiting or delayed; never starts another handler.
   * Resolves true once no handler is in flight, or false when draining timed out (or drain=false
   * and handlers were still running: they are told to stop through their AbortSignal).
   */
  shutdown(options: ShutdownOptions): Promise<boolean> {
    this.beginShutdown();
    if (this.processing.size === 0) return Promise.resolve(true);
    if (!options.drain) {
      this.abort.abort(new Error(`work queue shut down`));
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(options.timeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, () => {
        this.abort.abort(new Error('work queue drain timed out'));
        resolve(false);
      });
      this.idleWaiters.push(() => {
        timer.cancel();
        resolve(true);
      });
    });
  }

  /** True once shutdown() was called. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private beginShutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    this.waiting.clear();
    this.rerun.clear();
    this.addedAt.clear();
    this.observer.depth?.(0);
  }

  // Starts handlers for waiting keys while there is capacity. Waiting keys are never in flight
  // (add() diverts those to `rerun`), which is what keeps one handler per key.
  private pump(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.shuttingDown && this.processing.size < this.concurrency) {
      const next = this.waiting.values().next();
      if (next.done) return;
      const key = next.value;
      this.waiting.delete(key);
      this.processing.add(key);
      this.observer.depth?.(this.waiting.size);
      this.observeWait(key);
      void this.process(key, handler);
    }
  }

  private observeWait(key: K): void {
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.observer.waited?.(key, this.clock.nowMs() - added);
  }

  // Never rejects: every outcome of the handler is turned into queue operations.
  private async process(key: K, handler: Handler<K>): Promise<void> {
    const started = this.clock.nowMs();
    let outcome: Outcome;
    try {
      outcome = this.succeeded(key, await handler(key, this.abort.signal));
    } catch (err) {
      outcome = this.failed(key, err);
    }
    this.processing.delete(key);
    this.observer.worked?.(key, this.clock.nowMs() - started, outcome);
    if (this.rerun.delete(key) && !this.shuttingDown) {
      this.waiting.add(key);
      this.observer.depth?.(this.waiting.size);
    }
    if (this.processing.size === 0) this.notifyIdle();
    this.pump();
  }

  private succeeded(key: K, result: Result | undefined): Outcome {
    this.limiter.forget(key);
    const after = result?.requeueAfterMs;
    if (after === undefined || this.shuttingDown) return 'success';
    this.addAfter(key, after);
    return 'requeue';
  }

  private failed(key: K, err: unknown): Outcome {
    const error = errorSummary(err);
    if (this.isTerminal(err)) {
      this.limiter.forget(key);
      this.log.error({ key, err: error }, 'reconcile failed with a terminal error; not retrying');
      return 'terminal';
    }
    if (this.shuttingDown) {
      this.log.warn({ key, err: error }, 'reconcile failed during shutdown; left to the next run');
      return 'retry';
    }
    const delayMs = this.retryLater(key, retryAfterHint(err));
    this.log.error({ key, err: error, retries: this.limiter.retries(key), delayMs }, 'reconcile failed; retrying');
    return 'retry';
  }

  // A retry waits for the key's backoff or the error's own hint (e.g. a venue's Retry-After),
  // whichever is longer.
  private retryLater(key: K, minMs: number): number {
    if (this.shuttingDown) return 0;
    const delayMs = Math.max(this.limiter.when(key), minMs);
    this.observer.retried?.(key);
    this.addAfter(key, delayMs);
    return delayMs;
  }

  private notifyIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

const MAX_ERROR_MESSAGE = 500;

/** A log-safe error: name, code and a bounded message; never the error object's other fields. */
export interface ErrorSummary {
  name?: string;
  message: string;
  code?: string;
}

/**
 * Summarises a thrown value for logs and status. Other fields are left out on purpose: client
 * errors carry request options, and API errors carry response bodies (see logger.ts redaction).
 */
export function errorSummary(err: unknown): ErrorSummary {
  const message = err instanceof Error ? err.message : String(err);
  const summary: ErrorSummary = { message: message.slice(0, MAX_ERROR_MESSAGE) };
  if (!(err instanceof Error)) return summary;
  summary.name = err.name;
  // client-node puts the HTTP status in `code` (ApiException) or `statusCode` (Watch).
  const raw = err as { code?: unknown; statusCode?: unknown };
  const code = raw.code ?? raw.statusCode;
  if (typeof code === 'string' || typeof code === 'number') summary.code = String(code);
  return summary;
}

function retryAfterHint(err: unknown): number {
  const hint = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof hint === 'number' && Number.isFinite(hint) && hint > 0 ? hint : 0;
}
