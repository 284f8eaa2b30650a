import { Writable } from 'node:stream';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import { exponentialRateLimiter } from '../../../src/runtime/backoff.ts';
import {
  errorSummary,
  TerminalError,
  WorkQueue,
  type Outcome,
  type Result,
  type WorkQueueOptions,
} from '../../../src/runtime/workqueue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

// Lets every pending promise continuation run; the queue never sleeps, so this is not a wait.
const flush = (): Promise<void> => nextMacrotask();

interface Call {
  key: string;
  signal: AbortSignal;
  resolve: (result: Result) => void;
  reject: (err: unknown) => void;
}

/** A queue whose handler either answers at once (`respond`) or waits for the test to finish it. */
function setup(options: Partial<WorkQueueOptions<string>> & { respond?: (key: string) => Result | Error } = {}) {
  const clock = new FakeClock();
  const { respond, ...queueOptions } = options;
  const queue = new WorkQueue<string>({ name: 'test', clock, ...queueOptions });
  const calls: Call[] = [];
  const open = new Map<string, Call>();
  let running = 0;
  let maxRunning = 0;
  const overlapping: string[] = [];

  const handler = async (key: string, signal: AbortSignal): Promise<Result> => {
    if (open.has(key)) overlapping.push(key);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      if (respond) {
        calls.push({ key, signal, resolve: () => undefined, reject: () => undefined });
        const answer = respond(key);
        if (answer instanceof Error) throw answer;
        return answer;
      }
      return await new Promise<Result>((resolve, reject) => {
        const call = { key, signal, resolve, reject };
        calls.push(call);
        open.set(key, call);
      });
    } finally {
      running -= 1;
      open.delete(key);
    }
  };

  return {
    clock,
    queue,
    calls,
    started: (): string[] => calls.map((c) => c.key),
    maxRunning: (): number => maxRunning,
    overlapping,
    run: async (concurrency = 1): Promise<void> => {
      queue.run(handler, concurrency);
      await flush();
    },
    /** Ends the in-flight call for `key` with a result or an error. */
    finish: async (key: string, outcome: Result | Error = {}): Promise<void> => {
      const call = open.get(key);
      if (!call) throw new Error(`${key} is not in flight`);
      if (outcome instanceof Error) call.reject(outcome);
      else call.resolve(outcome);
      await flush();
    },
    advance: async (ms: number): Promise<void> => {
      await clock.advance(ms);
      await flush();
    },
  };
}

describe('WorkQueue de-duplication and ordering', () => {
  it('should process a key once when it is added three times while waiting', async () => {
    const q = setup({ respond: () => ({}) });
    q.queue.add('a');
    q.queue.add('a');
    q.queue.add('a');
    expect(q.queue.len()).toBe(1);
    await q.run();
    expect(q.started()).toEqual(['a']);
  });

  it('should re-run a key once when it was added while being processed', async () => {
    const q = setup();
    await q.run();
    q.queue.add('a');
    await flush();
    q.queue.add('a');
    q.queue.add('a');
    expect(q.queue.len()).toBe(0);
    await q.finish('a');
    expect(q.started()).toEqual(['a', 'a']);
    await q.finish('a');
    expect(q.started()).toEqual(['a', 'a']);
    expect(q.queue.inFlight()).toBe(0);
  });

  it('should never run the same key twice concurrently', async () => {
    const q = setup();
    await q.run(4);
    q.queue.add('a');
    await flush();
    q.queue.add('a');
    q.queue.add('b');
    await flush();
    expect(q.started()).toEqual(['a', 'b']);
    await q.finish('a');
    expect(q.started()).toEqual(['a', 'b', 'a']);
    expect(q.overlapping).toEqual([]);
  });

  it('should handle keys in the order they were added', async () => {
    const q = setup({ respond: () => ({}) });
    for (const key of ['c', 'a', 'b', 'a']) q.queue.add(key);
    await q.run();
    expect(q.started()).toEqual(['c', 'a', 'b']);
  });

  it.each([1, 2, 3])('should respect concurrency %i', async (concurrency) => {
    const q = setup();
    await q.run(concurrency);
    for (const key of ['a', 'b', 'c', 'd', 'e']) q.queue.add(key);
    await flush();
    expect(q.started()).toHaveLength(concurrency);
    await q.finish('a');
    expect(q.started()).toHaveLength(concurrency + 1);
    expect(q.maxRunning()).toBe(concurrency);
  });

  it.each([0, -1, 1.5])('should refuse concurrency %s', (concurrency) => {
    const q = setup();
    expect(() => { q.queue.run(() => Promise.resolve({}), concurrency); }).toThrow(RangeError);
  });

  it('should refuse a second run()', async () => {
    const q = setup();
    await q.run();
    expect(() => { q.queue.run(() => Promise.resolve({}), 1); }).toThrow(/only once/);
  });
});

describe('WorkQueue delays, retries and results', () => {
  it('should honour requeueAfter', async () => {
    const q = setup({ respond: () => ({ requeueAfterMs: 5000 }) });
    q.queue.add('a');
    await q.run();
    await q.advance(4999);
    expect(q.started()).toEqual(['a']);
    await q.advance(1);
    expect(q.started()).toEqual(['a', 'a']);
  });

  it('should run a key once at the earliest deadline when added after several delays', async () => {
    const q = setup({ respond: () => ({}) });
    await q.run();
    q.queue.addAfter('a', 1000);
    q.queue.addAfter('a', 500);
    q.queue.addAfter('a', 2000);
    await q.advance(499);
    expect(q.started()).toEqual([]);
    await q.advance(1);
    expect(q.started()).toEqual(['a']);
    await q.advance(5000);
    expect(q.started()).toEqual(['a']);
  });

  it('should add at once when the delay is not positive', async () => {
    const q = setup({ respond: () => ({}) });
    await q.run();
    q.queue.addAfter('a', 0);
    await flush();
    expect(q.started()).toEqual(['a']);
  });

  it('should back off exponentially per key and reset on forget', async () => {
    const failing = new Set(['a', 'b']);
    const q = setup({ respond: (key) => (failing.has(key) ? new Error('venue unavailable') : {}) });
    await q.run();
    q.queue.add('a');
    await flush();
    const times: number[] = [];
    for (const step of [100, 200, 400, 800]) {
      await q.advance(step - 1);
      times.push(q.started().length);
      await q.advance(1);
      times.push(q.started().length);
    }
    // Each retry comes exactly at base * 2^n, never earlier.
    expect(times).toEqual([1, 2, 2, 3, 3, 4, 4, 5]);
    expect(q.queue.numRequeues('a')).toBe(5);

    q.queue.add('b');
    await flush();
    expect(q.queue.numRequeues('b')).toBe(1);
    q.queue.forget('a');
    expect(q.queue.numRequeues('a')).toBe(0);
    expect(q.queue.numRequeues('b')).toBe(1);
  });

  it('should reset a key\'s backoff when its handler succeeds', async () => {
    let failures = 2;
    const q = setup({ respond: () => (failures-- > 0 ? new Error('flaky') : {}) });
    await q.run();
    q.queue.add('a');
    await flush();
    await q.advance(100);
    await q.advance(200);
    expect(q.started()).toEqual(['a', 'a', 'a']);
    expect(q.queue.numRequeues('a')).toBe(0);
  });

  it.each([
    { name: 'should not retry a TerminalError', error: new TerminalError('spec invalid'), options: {} },
    {
      name: 'should not retry an error the isTerminal option calls terminal',
      error: Object.assign(new Error('auth'), { retryable: false }),
      options: { isTerminal: (err: unknown) => (err as { retryable?: boolean }).retryable === false },
    },
  ])('$name', async ({ error, options }) => {
    const q = setup({ ...options, respond: () => error });
    await q.run();
    q.queue.add('a');
    await q.advance(10 * 60_000);
    expect(q.started()).toEqual(['a']);
    expect(q.queue.numRequeues('a')).toBe(0);
  });

  it('should wait for an error\'s retryAfterMs when it is longer than the backoff', async () => {
    const q = setup({ respond: () => Object.assign(new Error('rate limited'), { retryAfterMs: 2000 }) });
    await q.run();
    q.queue.add('a');
    await flush();
    await q.advance(1999);
    expect(q.started()).toEqual(['a']);
    await q.advance(1);
    expect(q.started()).toEqual(['a', 'a']);
  });

  it('should use an injected rate limiter', async () => {
    const q = setup({ rateLimiter: exponentialRateLimiter({ baseMs: 10, maxMs: 20 }), respond: () => new Error('x') });
    await q.run();
    q.queue.add('a');
    await flush();
    await q.advance(10);
    await q.advance(20);
    await q.advance(20);
    expect(q.started()).toHaveLength(4);
  });

  it('should schedule addRateLimited with the key\'s backoff', async () => {
    const q = setup({ respond: () => ({}) });
    await q.run();
    q.queue.addRateLimited('a');
    q.queue.addRateLimited('a');
    await q.advance(99);
    expect(q.started()).toEqual([]);
    await q.advance(1);
    expect(q.started()).toEqual(['a']);
  });
});

describe('WorkQueue shutdown', () => {
  it('should drain in-flight work on shutdown', async () => {
    const q = setup();
    await q.run(2);
    q.queue.add('a');
    q.queue.add('b');
    q.queue.add('c');
    await flush();
    let drained: boolean | undefined;
    void q.queue.shutdown({ drain: true }).then((idle) => { drained = idle; });
    q.queue.add('d');
    await q.finish('a');
    expect(drained).toBeUndefined();
    await q.finish('b');
    expect(drained).toBe(true);
    // 'c' was waiting and 'd' came after shutdown: neither starts.
    expect(q.started()).toEqual(['a', 'b']);
    expect(q.calls.every((c) => !c.signal.aborted)).toBe(true);
  });

  it('should stop waiting after the drain timeout and abort the handlers\' signal', async () => {
    const q = setup();
    await q.run();
    q.queue.add('a');
    await flush();
    let drained: boolean | undefined;
    void q.queue.shutdown({ drain: true, timeoutMs: 1000 }).then((idle) => { drained = idle; });
    await q.advance(999);
    expect(drained).toBeUndefined();
    await q.advance(1);
    expect(drained).toBe(false);
    expect(q.calls[0]!.signal.aborted).toBe(true);
  });

  it('should abort in-flight handlers and return at once without drain', async () => {
    const q = setup();
    await q.run();
    q.queue.add('a');
    await flush();
    await expect(q.queue.shutdown({ drain: false })).resolves.toBe(false);
    expect(q.calls[0]!.signal.aborted).toBe(true);
    await q.finish('a', new Error('aborted'));
    expect(q.clock.pendingTimers()).toBe(0);
  });

  it('should resolve at once when idle and drop delayed keys', async () => {
    const q = setup({ respond: () => ({}) });
    await q.run();
    q.queue.addAfter('a', 1000);
    await expect(q.queue.shutdown({ drain: true })).resolves.toBe(true);
    expect(q.queue.isShuttingDown()).toBe(true);
    expect(q.clock.pendingTimers()).toBe(0);
    await q.advance(2000);
    expect(q.started()).toEqual([]);
  });

  it('should not requeue a key whose handler finishes after shutdown', async () => {
    const q = setup();
    await q.run();
    q.queue.add('a');
    await flush();
    q.queue.add('a');
    const done = q.queue.shutdown({ drain: true });
    await q.finish('a', { requeueAfterMs: 10 });
    await expect(done).resolves.toBe(true);
    expect(q.clock.pendingTimers()).toBe(0);
    expect(q.started()).toEqual(['a']);
  });
});

describe('WorkQueue observer and logs', () => {
  it('should report depth, adds, waits, retries and work outcomes', async () => {
    const events: string[] = [];
    let fail = true;
    const q = setup({
      respond: () => (fail ? new Error('boom') : { requeueAfterMs: 50 }),
      observer: {
        depth: (n) => events.push(`depth ${n}`),
        added: (key) => events.push(`added ${key}`),
        retried: (key) => events.push(`retried ${key}`),
        waited: (key, ms) => events.push(`waited ${key} ${ms}`),
        worked: (key, ms, outcome: Outcome) => events.push(`worked ${key} ${ms} ${outcome}`),
      },
    });
    q.queue.add('a');
    q.queue.add('a');
    await q.advance(30);
    await q.run();
    fail = false;
    await q.advance(100);
    expect(events).toEqual([
      'added a', 'depth 1',
      'depth 0', 'waited a 30', 'retried a', 'worked a 0 retry',
      'added a', 'depth 1', 'depth 0', 'waited a 0', 'worked a 0 requeue',
    ]);
  });

  it('should log failures with the key and error summary only', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const err = Object.assign(new Error('venue said no'), { code: 'E10003', request: { apiSecret: 'sekret-value' } });
    const q = setup({ logger: createLogger({ destination }), respond: () => err });
    await q.run();
    q.queue.add('ns/key');
    await flush();
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ queue: 'test', key: 'ns/key', err: { message: 'venue said no', code: 'E10003' }, delayMs: 100 });
    expect(lines.join('')).not.toContain('sekret-value');
  });
});

describe('errorSummary', () => {
  it.each([
    { name: 'should keep name, message and code of an Error', err: Object.assign(new TypeError('bad'), { code: 42 }), expected: { name: 'TypeError', message: 'bad', code: '42' } },
    { name: 'should take the HTTP status a watch error carries', err: Object.assign(new Error('Gone'), { statusCode: 410 }), expected: { name: 'Error', message: 'Gone', code: '410' } },
    { name: 'should stringify a thrown non-error', err: 'oops', expected: { message: 'oops' } },
    { name: 'should bound a long message', err: new Error('x'.repeat(2000)), expected: { name: 'Error', message: 'x'.repeat(500) } },
  ])('$name', ({ err, expected }) => {
    expect(errorSummary(err)).toEqual(expected);
  });
});
