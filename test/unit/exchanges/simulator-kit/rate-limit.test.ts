import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../../src/exchanges/simulator-kit/rate-limit.ts';
import { FakeClock } from '../../../support/fake-clock.ts';

const LIMITS = { '/create': 2, '/list': 10 };

function limiter(enabled = true): ReturnType<typeof createRateLimiter> {
  return createRateLimiter({ limits: LIMITS, windowMs: 1000, enabled });
}

describe('createRateLimiter', () => {
  it('should allow up to the limit and refuse the next call when calls come within one window', () => {
    const clock = new FakeClock();
    const rl = limiter();
    const t0 = clock.nowMs();
    const verdicts = [1, 2, 3].map(() => rl.take('uid1', '/create', clock.nowMs()));
    expect(verdicts.map((v) => v?.allowed)).toEqual([true, true, false]);
    expect(verdicts[2]).toEqual({ allowed: false, limit: 2, remaining: 0, resetAtMs: t0 + 1000 });
  });

  it('should allow again when the oldest call has left the window', async () => {
    const clock = new FakeClock();
    const rl = limiter();
    rl.take('uid1', '/create', clock.nowMs());
    await clock.advance(400);
    rl.take('uid1', '/create', clock.nowMs());
    await clock.advance(600);
    expect(rl.take('uid1', '/create', clock.nowMs())).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('should count callers and endpoints separately when they differ', () => {
    const clock = new FakeClock();
    const rl = limiter();
    rl.take('uid1', '/create', clock.nowMs());
    rl.take('uid1', '/create', clock.nowMs());
    expect(rl.take('uid2', '/create', clock.nowMs())?.allowed).toBe(true);
    expect(rl.take('uid1', '/list', clock.nowMs())?.allowed).toBe(true);
  });

  it('should spend the cost when a call weighs more than one', () => {
    const clock = new FakeClock();
    const rl = limiter();
    expect(rl.take('ip', '/list', clock.nowMs(), 8)).toMatchObject({ allowed: true, remaining: 2 });
    expect(rl.take('ip', '/list', clock.nowMs(), 3)).toMatchObject({ allowed: false, remaining: 2 });
  });

  it.each([
    { name: 'should not decide when the endpoint has no limit', enabled: true, endpoint: '/other' },
    { name: 'should not decide when limits are off', enabled: false, endpoint: '/create' },
  ])('$name', ({ enabled, endpoint }) => {
    expect(limiter(enabled).take('uid1', endpoint, 0)).toBeUndefined();
  });

  it('should forget counted calls when reset and obey the switch when toggled', () => {
    const rl = limiter();
    rl.take('uid1', '/create', 0);
    rl.take('uid1', '/create', 0);
    rl.reset();
    expect(rl.take('uid1', '/create', 0)?.allowed).toBe(true);
    rl.setEnabled(false);
    expect([rl.enabled(), rl.take('uid1', '/create', 0)]).toEqual([false, undefined]);
  });

  it('should use the endpoint\'s own window when its limit names one', async () => {
    const clock = new FakeClock();
    const rl = createRateLimiter({ limits: { '/create': 1, '/list': { limit: 2, windowMs: 2000 } }, windowMs: 1000, enabled: true });
    const t0 = clock.nowMs();
    rl.take('uid1', '/list', t0);
    rl.take('uid1', '/list', t0);
    expect(rl.take('uid1', '/list', t0)).toEqual({ allowed: false, limit: 2, remaining: 0, resetAtMs: t0 + 2000 });
    await clock.advance(1000);
    expect(rl.take('uid1', '/list', clock.nowMs())?.allowed).toBe(false);
    expect(rl.take('uid1', '/create', clock.nowMs())).toMatchObject({ allowed: true, resetAtMs: clock.nowMs() + 1000 });
    await clock.advance(1000);
    expect(rl.take('uid1', '/list', clock.nowMs())?.allowed).toBe(true);
  });
});
