// An informer that keeps itself running. client-node's ListWatch fires `error` and stops for
// good on a failed list or any watch error other than 410/timeout (client-node #596, #958), so
// this wrapper restarts it with capped, jittered backoff (jitter avoids the relist floods of
// #1933 when every informer fails at once), and reports health for readiness probes.
//
// The wrapper keeps its own cache, filled from the list response before anyone is told the
// informer synced: ListWatch populates its cache a few microtasks after listFn resolves, so
// asking it whether the first list landed would race. Watch events arrive through ListWatch's
// callbacks and are applied here before handlers run, so a handler's get() already sees them.

import {
  ListWatch, type KubernetesListObject, type KubernetesObject, type ListPromise, type Watch,
} from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { exponentialDelay } from './backoff.ts';
import type { Clock, Timer } from './clock.ts';
import { errorSummary } from './workqueue.ts';

/** The part of client-node's ListWatch this wrapper drives; unit tests pass a fake. */
export interface ListWatchLike<T extends KubernetesObject> {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
  on(verb: 'error', cb: (err: unknown) => void): void;
  /** Lists (when it has no resourceVersion) and watches; may also reject instead of firing `error`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the ListWatch around the wrapper's own listFn (which fills the wrapper's cache);
 * `stopped` aborts when the informer stops for good.
 */
export type ListWatchFactory<T extends KubernetesObject> = (
  listFn: ListPromise<T>,
  stopped: AbortSignal,
) => ListWatchLike<T>;

/** Where a real ListWatch watches. */
export interface ListWatchSource {
  watch: Watch;
  /** Watch path, e.g. `/apis/exkey.io/v1alpha1/exchangekeys`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** ListWatch's own reconnect delays (after a clean watch close) go through this clock too. */
  clock: Clock;
}

/** The production factory: a client-node ListWatch that does not start until asked. */
export function listWatchFactory<T extends KubernetesObject>(source: ListWatchSource): ListWatchFactory<T> {
  return (listFn, stopped) =>
    new ListWatch<T>(source.path, source.watch, listFn, false, source.labelSelector, source.fieldSelector, {
      delayFn: (ms) => reconnectDelay(source.clock, ms, stopped),
    });
}

// ListWatch does not look at its stopped flag after its reconnect delay, so a stop() during the
// delay would still open a watch that nobody reads. Once stopped, the delay never ends instead:
// rejecting would surface as an unhandled rejection from ListWatch's watch callback.
function reconnectDelay(clock: Clock, ms: number, stopped: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    clock.sleep(ms, stopped).then(resolve, () => undefined);
  });
}

/** Restart backoff: initialMs doubling to maxMs; reset when a run lasted healthyResetMs. */
export interface InformerBackoff {
  initialMs: number;
  maxMs: number;
  healthyResetMs: number;
  /** Fraction of each delay taken off at random (0..1). */
  jitter: number;
  random?: () => number;
}

const DEFAULT_INFORMER_BACKOFF: InformerBackoff = {
  initialMs: 1_000,
  maxMs: 30_000,
  healthyResetMs: 60_000,
  jitter: 0.2,
};

/** Construction options of a ResilientInformer. */
export interface ResilientInformerOptions<T extends KubernetesObject> {
  /** Informer name for logs (e.g. the resource's plural). */
  name: string;
  /** Lists the objects (with the same selectors as the watch). */
  listFn: ListPromise<T>;
  listWatch: ListWatchFactory<T>;
  clock: Clock;
  logger?: Logger;
  backoff?: Partial<InformerBackoff>;
  /** Level-based safety net: every periodMs, onResync is called with every cached object. */
  resync?: { periodMs: number; onResync: (obj: T) => void };
}

/** What readiness probes and status pages read. */
export interface InformerHealth {
  /** The first list succeeded (stays true across restarts, like client-go's HasSynced). */
  synced: boolean;
  /** Waiting to restart after a failure. */
  restarting: boolean;
  /** Message of the latest failure. */
  lastError?: string;
  restarts: number;
  /** Latest successful list or watch event. */
  lastEventAt?: Date;
}

/** An object event the informer forwards to handlers. */
export type InformerEvent = 'add' | 'update' | 'delete';

/** A self-restarting list-watch cache with event handlers, sync tracking and health. */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly name: string;
  private readonly listFn: ListPromise<T>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly backoff: InformerBackoff;
  private readonly resync: ResilientInformerOptions<T>['resync'];
  private readonly listWatch: ListWatchLike<T>;
  // namespace ('' for cluster-scoped) -> name -> object, as ListWatch keeps it.
  private cache = new Map<string, Map<string, T>>();
  private readonly handlers: Record<InformerEvent, ((obj: T) => void)[]> = { add: [], update: [], delete: [] };
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private readonly stopping = new AbortController();
  private started = false;
  private stopped = false;
  private synced = false;
  private generation = 0;
  private attempts = 0;
  private restarts = 0;
  private lastStartAt = 0;
  private lastError: string | undefined;
  private lastEventAt: Date | undefined;
  private restartTimer: Timer | undefined;
  private resyncTimer: Timer | undefined;

  constructor(options: ResilientInformerOptions<T>) {
    this.name = options.name;
    this.listFn = options.listFn;
    this.clock = options.clock;
    this.log = (options.logger ?? silentLogger()).child({ informer: options.name });
    this.backoff = { ...DEFAULT_INFORMER_BACKOFF, ...options.backoff };
    this.resync = options.resync;
    this.listWatch = options.listWatch(() => this.listIntoCache(), this.stopping.signal);
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.listWatch.on(verb, (obj) => { this.apply(verb, obj); });
    }
    this.listWatch.on('error', (err) => { this.failed(err); });
  }

  /** Registers a handler; handlers run after the cache reflects the event, and must not throw. */
  on(event: InformerEvent, handler: (obj: T) => void): void {
    this.handlers[event].push(handler);
  }

  /** Starts listing and watching (idempotent); use waitForSync() to know when the cache is full. */
  start(): void {
    if (this.stopped) throw new Error(`informer ${this.name} was stopped and cannot be restarted`);
    if (this.started) return;
    this.started = true;
    this.launch();
    this.armResync();
  }

  /** Stops watching, cancels timers and resolves pending waitForSync() calls with false. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    this.restartTimer?.cancel();
    this.resyncTimer?.cancel();
    this.restartTimer = undefined;
    this.resolveWaiters(false);
    // Aborting the watch makes ListWatch fire `error` once more; failed() ignores it now.
    await this.listWatch.stop();
  }

  /** True once the first list succeeded. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false if the signal aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        resolve(false);
      };
      const waiter = (synced: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      };
      this.syncWaiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Snapshot for readiness probes. */
  health(): InformerHealth {
    const health: InformerHealth = {
      synced: this.synced,
      restarting: this.restartTimer !== undefined,
      restarts: this.restarts,
    };
    if (this.lastError !== undefined) health.lastError = this.lastError;
    if (this.lastEventAt !== undefined) health.lastEventAt = this.lastEventAt;
    return health;
  }

  /** The cached object, if any (namespace omitted or '' for cluster-scoped objects). */
  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(namespace ?? '')?.get(name);
  }

  /** Cached objects in `namespace`, or all of them. */
  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.cache.get(namespace)?.values() ?? [])];
    return [...this.cache.values()].flatMap((objects) => [...objects.values()]);
  }

  // The listFn handed to ListWatch: the response replaces the cache before sync is announced.
  // A response that arrives after a stop or a newer start is stale and left out of the cache.
  private async listIntoCache(): Promise<KubernetesListObject<T>> {
    const generation = this.generation;
    const response = await this.listFn();
    if (this.stopped || generation !== this.generation) return response;
    this.cache = new Map();
    for (const obj of response.items) this.store(obj);
    this.lastEventAt = this.clock.now();
    if (!this.synced) {
      this.synced = true;
      this.log.info({ objects: response.items.length }, 'informer synced');
      this.resolveWaiters(true);
    }
    return response;
  }

  private launch(): void {
    this.generation += 1;
    this.lastStartAt = this.clock.nowMs();
    this.listWatch.start().catch((err: unknown) => { this.failed(err); });
  }

  private apply(verb: InformerEvent, obj: T): void {
    if (this.stopped) return;
    if (verb === 'delete') this.remove(obj);
    else this.store(obj);
    this.lastEventAt = this.clock.now();
    for (const handler of this.handlers[verb]) {
      // A throwing handler would otherwise unwind into ListWatch, which swallows it mid-batch
      // (watch events) or dies with it (list results), leaving the cache half-updated.
      try {
        handler(obj);
      } catch (err) {
        this.log.error({ event: verb, err: errorSummary(err), object: objectRef(obj) }, 'informer handler threw');
      }
    }
  }

  private store(obj: T): void {
    const namespace = obj.metadata?.namespace ?? '';
    let objects = this.cache.get(namespace);
    if (!objects) {
      objects = new Map();
      this.cache.set(namespace, objects);
    }
    objects.set(obj.metadata?.name ?? '', obj);
  }

  private remove(obj: T): void {
    const namespace = obj.metadata?.namespace ?? '';
    const objects = this.cache.get(namespace);
    objects?.delete(obj.metadata?.name ?? '');
    if (objects?.size === 0) this.cache.delete(namespace);
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    const error = errorSummary(err);
    this.lastError = error.message;
    // One failure can be reported twice (an `error` callback and a rejected start()).
    if (this.restartTimer) return;
    const now = this.clock.nowMs();
    if (now - this.lastStartAt >= this.backoff.healthyResetMs) this.attempts = 0;
    const delayMs = exponentialDelay(this.attempts, {
      baseMs: this.backoff.initialMs,
      maxMs: this.backoff.maxMs,
      jitter: this.backoff.jitter,
      random: this.backoff.random,
    });
    this.attempts += 1;
    this.log.warn({ err: error, restarts: this.restarts, delayMs, synced: this.synced }, 'informer failed; restarting');
    this.restartTimer = this.clock.setTimer(delayMs, () => {
      this.restartTimer = undefined;
      this.restarts += 1;
      this.launch();
    });
  }

  private armResync(): void {
    const resync = this.resync;
    if (!resync || this.stopped) return;
    this.resyncTimer = this.clock.setTimer(resync.periodMs, () => {
      if (this.synced && !this.stopped) {
        for (const obj of this.list()) this.callResync(resync.onResync, obj);
      }
      this.armResync();
    });
  }

  private callResync(onResync: (obj: T) => void, obj: T): void {
    try {
      onResync(obj);
    } catch (err) {
      this.log.error({ event: 'resync', err: errorSummary(err), object: objectRef(obj) }, 'informer handler threw');
    }
  }

  private resolveWaiters(synced: boolean): void {
    for (const waiter of this.syncWaiters.splice(0)) waiter(synced);
  }
}

// Identifies an object in logs without any of its contents.
function objectRef(obj: KubernetesObject): { namespace?: string; name?: string } {
  return { namespace: obj.metadata?.namespace, name: obj.metadata?.name };
}
