// Waiting primitives for the local environment (real timers are fine here: this code runs
// processes on the developer's machine, not controller logic that tests drive with a FakeClock).
import { createServer } from 'node:net';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long and how often waitUntil polls, and what to call the condition in its error. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  description: string;
  /** Checked on every round; a non-undefined return aborts the wait with that message. */
  abortIf?: () => string | undefined;
}

/**
 * Polls `check` until it returns a value other than undefined and returns it. On timeout it throws
 * with the description and the last error or observation (`observe`), so failures say what was seen.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined>,
  options: WaitOptions,
  observe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let last: string;
    const aborted = options.abortIf?.();
    if (aborted !== undefined) throw new Error(`while waiting for ${options.description}: ${aborted}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = observe();
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description}${last ? `; last: ${last}` : ''}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from listen(0)'));
      });
    });
  });
}

/** `count` distinct free ports (distinct even if the OS hands one out twice in a row). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
