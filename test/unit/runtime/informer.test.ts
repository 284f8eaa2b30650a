import { Writable } from 'node:stream';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { KubernetesListObject, KubernetesObject, Watch } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import {
  listWatchFactory,
  ResilientInformer,
  type ListWatchLike,
  type ResilientInformerOptions,
} from '../../../src/runtime/informer.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const flush = (): Promise<void> => nextMacrotask();

// A plain shape rather than V1ObjectMeta (a class): it is what the API server sends anyway.
interface Obj extends KubernetesObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

interface LogRecord {
  msg: string;
  delayMs?: number;
  [field: string]: unknown;
}

const records = (lines: string[]): LogRecord[] => lines.map((l) => JSON.parse(l) as LogRecord);
const restartDelays = (lines: string[]): (number | undefined)[] =>
  records(lines).filter((r) => r.msg.includes('restarting')).map((r) => r.delayMs);

function obj(name: string, resourceVersion: string, namespace = 'ns'): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion } };
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type DoneCallback = (err: unknown) => void;

/** Stands in for client-node's Watch: records each watch request and lets the test drive it. */
class FakeWatch {
  readonly requests: { path: string; params: Record<string, unknown>; event: WatchCallback; done: DoneCallback }[] = [];
  throwNext: Error | undefined;

  watch(path: string, params: Record<string, unknown>, event: WatchCallback, done: DoneCallback): Promise<AbortController> {
    if (this.throwNext) {
      const err = this.throwNext;
      this.throwNext = undefined;
      return Promise.reject(err);
    }
    this.requests.push({ path, params, event, done });
    return Promise.resolve(new AbortController());
  }

  get current(): { event: WatchCallback; done: DoneCallback; params: Record<string, unknown> } {
    const request = this.requests.at(-1);
    if (!request) throw new Error('no watch request yet');
    return request;
  }

  async emit(phase: 'ADDED' | 'MODIFIED' | 'DELETED', o: Obj): Promise<void> {
    this.current.event(phase, o, { type: phase, object: o });
    await flush();
  }

  async fail(err: unknown): Promise<void> {
    this.current.done(err);
    await flush();
  }
}

/** The API server's list endpoint: answers with `items`, or fails with the queued errors first. */
class FakeList {
  items: Obj[] = [];
  resourceVersion = '100';
  readonly failures: Error[] = [];
  calls = 0;

  list = (): Promise<KubernetesListObject<Obj>> => {
    this.calls += 1;
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    return Promise.resolve({ metadata: { resourceVersion: this.resourceVersion }, items: [...this.items] });
  };
}

function setup(overrides: Partial<ResilientInformerOptions<Obj>> = {}) {
  const clock = new FakeClock();
  const watch = new FakeWatch();
  const list = new FakeList();
  const lines: string[] = [];
  const destination = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const events: string[] = [];
  const informer = new ResilientInformer<Obj>({
    name: 'configmaps',
    listFn: list.list,
    listWatch: listWatchFactory<Obj>({ watch: watch as unknown as Watch, path: '/api/v1/configmaps', clock }),
    clock,
    logger: createLogger({ destination, level: 'debug' }),
    ...overrides,
    backoff: { random: () => 0, ...overrides.backoff },
  });
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, (o) => events.push(`${verb} ${o.metadata?.name}`));
  }
  return {
    clock, watch, list, informer, events, lines,
    advance: async (ms: number): Promise<void> => {
      await clock.advance(ms);
      await flush();
    },
    start: async (): Promise<void> => {
      informer.start();
      await flush();
    },
  };
}

const names = (objects: readonly Obj[]): string[] => objects.map((o) => o.metadata?.name ?? '').sort();

describe('ResilientInformer sync', () => {
  it('should report synced only after the first successful list', async () => {
    const t = setup();
    t.list.items = [obj('a', '1')];
    t.list.failures.push(new Error('connection refused'));
    let synced: boolean | undefined;
    void t.informer.waitForSync().then((s) => { synced = s; });
    await t.start();
    expect(t.informer.hasSynced()).toBe(false);
    expect(synced).toBeUndefined();
    expect(t.informer.health()).toMatchObject({ synced: false, restarting: true, restarts: 0, lastError: 'connection refused' });

    await t.advance(1000);
    expect(t.informer.hasSynced()).toBe(true);
    expect(synced).toBe(true);
    expect(t.informer.health()).toMatchObject({ synced: true, restarting: false, restarts: 1 });
    expect(t.informer.health().lastEventAt).toEqual(t.clock.now());
  });

  it('should have the listed objects in its cache when waitForSync resolves', async () => {
    const t = setup();
    t.list.items = [obj('a', '1'), obj('b', '1', 'other')];
    const seen: string[][] = [];
    void t.informer.waitForSync().then(() => seen.push(names(t.informer.list())));
    await t.start();
    expect(seen).toEqual([['a', 'b']]);
    expect(t.events).toEqual(['add a', 'add b']);
  });

  it('should resolve waitForSync with false when its signal aborts', async () => {
    const t = setup();
    t.list.failures.push(new Error('down'));
    const abort = new AbortController();
    const result = t.informer.waitForSync(abort.signal);
    await t.start();
    abort.abort();
    await expect(result).resolves.toBe(false);
    await expect(t.informer.waitForSync(abort.signal)).resolves.toBe(false);
  });
});

describe('ResilientInformer restarts', () => {
  it('should restart the informer with backoff after a list failure', async () => {
    const t = setup();
    t.list.failures.push(new Error('e1'), new Error('e2'), new Error('e3'));
    await t.start();
    const listCallsAt: number[] = [];
    for (const delay of [1000, 2000, 4000]) {
      await t.advance(delay - 1);
      listCallsAt.push(t.list.calls);
      await t.advance(1);
      listCallsAt.push(t.list.calls);
    }
    expect(listCallsAt).toEqual([1, 2, 2, 3, 3, 4]);
    expect(t.informer.health()).toMatchObject({ synced: true, restarts: 3, restarting: false, lastError: 'e3' });
  });

  it.each([
    { name: 'should cap the restart delay at maxMs', backoff: { initialMs: 1000, maxMs: 3000 }, failures: 4, expected: [1000, 2000, 3000, 3000] },
    { name: 'should spread restarts with jitter', backoff: { initialMs: 1000, maxMs: 30_000, jitter: 0.5, random: () => 0.5 }, failures: 2, expected: [750, 1500] },
  ])('$name', async ({ backoff, failures, expected }) => {
    const t = setup({ backoff });
    for (let i = 0; i < failures; i += 1) t.list.failures.push(new Error(`e${i}`));
    await t.start();
    expect(restartDelays(t.lines)).toEqual([expected[0]]);
    for (const delay of expected) await t.advance(delay);
    expect(restartDelays(t.lines)).toEqual(expected);
  });

  it('should restart after a watch error and resume the watch from the last resourceVersion', async () => {
    const t = setup();
    t.list.items = [obj('a', '1')];
    await t.start();
    await t.watch.emit('MODIFIED', obj('a', '101'));
    await t.watch.fail(Object.assign(new Error('Internal Server Error'), { statusCode: 500 }));
    expect(t.watch.requests).toHaveLength(1);
    await t.advance(1000);
    expect(t.watch.requests).toHaveLength(2);
    expect(t.watch.current.params.resourceVersion).toBe('101');
    expect(t.list.calls).toBe(1);
    await t.watch.emit('ADDED', obj('b', '102'));
    expect(names(t.informer.list())).toEqual(['a', 'b']);
    expect(t.informer.health()).toMatchObject({ restarts: 1, lastError: 'Internal Server Error' });
  });

  it('should resync its cache after a failed relist: vanished objects are deleted and changed ones updated', async () => {
    const t = setup();
    t.list.items = [obj('a', '1'), obj('b', '1')];
    await t.start();
    t.list.items = [obj('a', '2'), obj('c', '2')];
    t.list.failures.push(new Error('etcd timeout'));
    // 410 Gone makes ListWatch relist on its own; the relist fails, so ListWatch stops.
    await t.watch.fail(Object.assign(new Error('Gone'), { statusCode: 410 }));
    expect(names(t.informer.list())).toEqual(['a', 'b']);
    await t.advance(1000);
    expect(names(t.informer.list())).toEqual(['a', 'c']);
    expect(t.informer.get('a', 'ns')?.metadata?.resourceVersion).toBe('2');
    expect(t.events).toEqual(['add a', 'add b', 'delete b', 'update a', 'add c']);
  });

  it('should restart when starting the watch throws', async () => {
    const t = setup();
    t.watch.throwNext = new Error('No currently active cluster');
    await t.start();
    expect(t.informer.health()).toMatchObject({ synced: true, restarting: true, lastError: 'No currently active cluster' });
    await t.advance(1000);
    expect(t.watch.requests).toHaveLength(1);
    expect(t.informer.health().restarting).toBe(false);
  });

  it('should reset the backoff after a healthy period', async () => {
    const t = setup({ backoff: { healthyResetMs: 60_000 } });
    t.list.failures.push(new Error('e1'), new Error('e2'));
    await t.start();
    await t.advance(1000);
    await t.advance(2000);
    await t.advance(60_000);
    await t.watch.fail(new Error('reset by peer'));
    expect(restartDelays(t.lines)).toEqual([1000, 2000, 1000]);
  });

  it('should reconnect a cleanly closed watch through the clock without counting a restart', async () => {
    const t = setup();
    await t.start();
    await t.watch.fail(null);
    expect(t.watch.requests).toHaveLength(2);
    await t.watch.fail(null);
    expect(t.watch.requests).toHaveLength(2);
    await t.advance(1000);
    expect(t.watch.requests).toHaveLength(3);
    expect(t.informer.health().restarts).toBe(0);
  });

  it('should log each restart with the error and never the objects\' contents', async () => {
    const t = setup();
    t.list.items = [{ ...obj('a', '1'), data: { apiSecret: 'sekret-value' } }];
    await t.start();
    await t.watch.fail(Object.assign(new Error('Forbidden'), { statusCode: 403, body: { items: t.list.items } }));
    const restart = records(t.lines).find((r) => r.msg.includes('restarting'));
    expect(restart).toMatchObject({ informer: 'configmaps', level: 'warn', err: { message: 'Forbidden', code: '403' }, delayMs: 1000 });
    expect(t.lines.join('')).not.toContain('sekret-value');
  });
});

describe('ResilientInformer events and cache', () => {
  it('should forward add/update/delete after the cache reflects them', async () => {
    const t = setup();
    const seen: string[] = [];
    for (const verb of ['add', 'update', 'delete'] as const) {
      t.informer.on(verb, (o) => seen.push(`${verb} ${t.informer.get(o.metadata!.name!, 'ns')?.metadata?.resourceVersion ?? 'gone'}`));
    }
    await t.start();
    await t.watch.emit('ADDED', obj('a', '101'));
    await t.watch.emit('MODIFIED', obj('a', '102'));
    await t.watch.emit('DELETED', obj('a', '103'));
    expect(seen).toEqual(['add 101', 'update 102', 'delete gone']);
    expect(t.informer.list()).toEqual([]);
  });

  it('should keep delivering events when a handler throws', async () => {
    const t = setup();
    t.informer.on('add', () => { throw new Error('handler bug'); });
    await t.start();
    await t.watch.emit('ADDED', obj('a', '101'));
    await t.watch.emit('ADDED', obj('b', '102'));
    expect(t.events).toEqual(['add a', 'add b']);
    expect(t.lines.filter((l) => l.includes('handler threw'))).toHaveLength(2);
  });

  it.each([
    { name: 'should list one namespace', namespace: 'ns', expected: ['a', 'b'] },
    { name: 'should list every namespace', namespace: undefined, expected: ['a', 'b', 'c'] },
    { name: 'should list nothing for an unknown namespace', namespace: 'none', expected: [] },
  ])('$name', async ({ namespace, expected }) => {
    const t = setup();
    t.list.items = [obj('a', '1'), obj('b', '1'), obj('c', '1', 'other')];
    await t.start();
    expect(names(t.informer.list(namespace))).toEqual(expected);
    expect(t.informer.get('c', 'other')?.metadata?.name).toBe('c');
    expect(t.informer.get('c', 'ns')).toBeUndefined();
  });

  it('should call onResync with every cached object every period once synced', async () => {
    const resynced: string[] = [];
    const t = setup({ resync: { periodMs: 10_000, onResync: (o) => resynced.push(o.metadata!.name!) } });
    t.list.items = [obj('a', '1'), obj('b', '1')];
    t.list.failures.push(new Error('down'), new Error('down'), new Error('down'), new Error('down'));
    await t.start();
    // Restarts at 1 s, 3 s and 7 s fail, so the informer has not synced at the first tick (10 s).
    // FakeClock arms a timer set by a fired timer's async work only after advance() returns, so
    // time moves from one deadline to the next.
    for (const step of [1000, 2000, 4000, 3000]) await t.advance(step);
    expect(resynced).toEqual([]);
    await t.advance(5000);
    expect(t.informer.hasSynced()).toBe(true);
    await t.advance(5000);
    expect(resynced.sort()).toEqual(['a', 'b']);
    await t.advance(10_000);
    expect(resynced).toHaveLength(4);
  });
});

describe('ResilientInformer stop', () => {
  it('should stop restarting, release waiters and ignore errors after stop', async () => {
    const t = setup({ resync: { periodMs: 1000, onResync: () => undefined } });
    t.list.failures.push(new Error('down'));
    const waiting = t.informer.waitForSync();
    await t.start();
    await t.informer.stop();
    await expect(waiting).resolves.toBe(false);
    expect(t.clock.pendingTimers()).toBe(0);
    await t.advance(60_000);
    expect(t.list.calls).toBe(1);
    expect(() => { t.informer.start(); }).toThrow(/stopped/);
  });

  it('should not open a new watch when stopped during ListWatch\'s reconnect delay', async () => {
    const t = setup();
    await t.start();
    await t.watch.fail(null);
    await t.watch.fail(null); // the second clean close waits 1 s before reconnecting
    await t.informer.stop();
    await t.advance(5000);
    expect(t.watch.requests).toHaveLength(2);
    expect(t.clock.pendingTimers()).toBe(0);
  });

  it('should ignore the error ListWatch reports when its watch is aborted by stop', async () => {
    const fake: ListWatchLike<Obj> & { error?: (err: unknown) => void } = {
      on(verb: string, cb: (arg: never) => void): void {
        if (verb === 'error') fake.error = cb as (err: unknown) => void;
      },
      start: () => Promise.resolve(),
      stop: () => {
        fake.error?.(new Error('The operation was aborted'));
        return Promise.resolve();
      },
    };
    const t = setup({ listWatch: () => fake });
    await t.start();
    await t.informer.stop();
    expect(t.informer.health()).toMatchObject({ restarting: false });
    expect(t.informer.health().lastError).toBeUndefined();
    expect(t.clock.pendingTimers()).toBe(0);
  });
});
