import { describe, expect, it } from 'vitest';
import {
  bucketRateLimiter,
  defaultRateLimiter,
  exponentialDelay,
  exponentialRateLimiter,
  maxOfRateLimiters,
} from '../../../src/runtime/backoff.ts';
import { FakeClock } from '../../support/fake-clock.ts';

describe('exponentialDelay', () => {
  it.each([
    { name: 'should wait the base delay after the first failure', failures: 0, expected: 100 },
    { name: 'should double with each failure', failures: 3, expected: 800 },
    { name: 'should stop at the cap', failures: 12, expected: 300_000 },
    { name: 'should not overflow past the cap after very many failures', failures: 5000, expected: 300_000 },
  ])('$name', ({ failures, expected }) => {
    expect(exponentialDelay(failures, { baseMs: 100, maxMs: 300_000 })).toBe(expected);
  });

  it.each([
    { name: 'should keep the full delay when the random draw is 0', random: 0, expected: 1000 },
    { name: 'should take off at most the jitter fraction when the draw is near 1', random: 0.999, expected: 800 },
    { name: 'should take off half the fraction when the draw is 0.5', random: 0.5, expected: 900 },
  ])('$name', ({ random, expected }) => {
    expect(exponentialDelay(0, { baseMs: 1000, maxMs: 5000, jitter: 0.2, random: () => random })).toBe(expected);
  });
});

describe('exponentialRateLimiter', () => {
  it('should back off each key on its own and reset a key on forget', () => {
    const limiter = exponentialRateLimiter<string>({ baseMs: 100, maxMs: 1000 });
    expect([limiter.when('a'), limiter.when('a'), limiter.when('a'), limiter.when('b')]).toEqual([100, 200, 400, 100]);
    expect(limiter.retries('a')).toBe(3);
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
    expect(limiter.when('a')).toBe(100);
    expect(limiter.retries('b')).toBe(1);
  });
});

describe('bucketRateLimiter', () => {
  it('should allow a burst at once and then space retries at the sustained rate', () => {
    const clock = new FakeClock();
    const limiter = bucketRateLimiter<string>({ qps: 10, burst: 2, clock });
    expect([limiter.when('a'), limiter.when('b'), limiter.when('c'), limiter.when('d')]).toEqual([0, 0, 100, 200]);
  });

  it('should refill tokens as time passes', async () => {
    const clock = new FakeClock();
    const limiter = bucketRateLimiter<string>({ qps: 10, burst: 1, clock });
    expect(limiter.when('a')).toBe(0);
    await clock.advance(100);
    expect(limiter.when('a')).toBe(0);
  });
});

describe('maxOfRateLimiters', () => {
  it('should use the longest delay and forget in every limiter', () => {
    const clock = new FakeClock();
    const limiter = maxOfRateLimiters<string>(
      exponentialRateLimiter({ baseMs: 100, maxMs: 1000 }),
      bucketRateLimiter({ qps: 1, burst: 1, clock }),
    );
    expect(limiter.when('a')).toBe(100);
    expect(limiter.when('b')).toBe(1000);
    expect(limiter.retries('a')).toBe(1);
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
  });
});

describe('defaultRateLimiter', () => {
  it('should start at 100 ms and cap at 5 minutes', () => {
    const limiter = defaultRateLimiter<string>(new FakeClock());
    const delays = Array.from({ length: 14 }, () => limiter.when('a'));
    expect(delays.slice(0, 3)).toEqual([100, 200, 400]);
    expect(delays.at(-1)).toBe(300_000);
  });
});
