import type { Clock, Timer } from '../../src/runtime/clock.ts';

interface Pending {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/** A manually driven Clock: time moves only when a test calls advance() or set(). */
export class FakeClock implements Clock {
  private current: number;
  private readonly pending: Pending[] = [];

  constructor(start: Date | string = '2026-01-05T12:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = this.setTimer(ms, resolve);
      signal?.addEventListener('abort', () => {
        timer.cancel();
        reject(signal.reason as Error);
      }, { once: true });
    });
  }

  setTimer(ms: number, fn: () => void): Timer {
    const entry: Pending = { at: this.current + Math.max(0, ms), fn, cancelled: false };
    this.pending.push(entry);
    return { cancel: () => { entry.cancelled = true; } };
  }

  /** Moves time forward, firing due timers in order; awaits microtasks between timers. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.pending
        .filter((p) => !p.cancelled && p.at <= target)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.pending.splice(this.pending.indexOf(due), 1);
      this.current = Math.max(this.current, due.at);
      due.fn();
      await Promise.resolve();
    }
    this.current = target;
  }

  /** Jumps to an absolute time (forward only), firing due timers. */
  async set(at: Date | string): Promise<void> {
    await this.advance(Math.max(0, new Date(at).getTime() - this.current));
  }

  /** Number of armed, uncancelled timers (for assertions). */
  pendingTimers(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
