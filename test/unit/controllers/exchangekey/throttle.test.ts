// RolloutThrottle: at most `limit` dependents rolling per scope, across keys and restarts.
import { describe, expect, it } from 'vitest';
import { RolloutThrottle } from '../../../../src/controllers/exchangekey/throttle.ts';

const none = (): ReadonlyMap<string, number> => new Map();

describe('RolloutThrottle', () => {
  it('should grant up to the limit, then nothing, across keys of one scope', () => {
    const t = new RolloutThrottle(none);
    expect(t.acquire('p', 'ns/a', { wanted: 3, limit: 2, ownHeld: 0 })).toBe(2);
    expect(t.acquire('p', 'ns/b', { wanted: 1, limit: 2, ownHeld: 0 })).toBe(0);
    expect(t.available('other', 'ns/b', 2, 0)).toBe(2);
  });

  it('should free slots when a key reports fewer rollouts in flight', () => {
    const t = new RolloutThrottle(none);
    t.acquire('p', 'ns/a', { wanted: 1, limit: 1, ownHeld: 0 });
    expect(t.available('p', 'ns/b', 1, 0)).toBe(0);
    t.set('p', 'ns/a', 0);
    expect(t.available('p', 'ns/b', 1, 0)).toBe(1);
  });

  it('should count what other keys hold according to their recorded status after a restart', () => {
    const t = new RolloutThrottle(() => new Map([['ns/a', 1], ['ns/b', 0]]));
    expect(t.available('p', 'ns/b', 2, 0)).toBe(1);
    expect(t.available('p', 'ns/a', 2, 1)).toBe(1);
  });

  it('should not count a key twice when both memory and status know its slots', () => {
    const t = new RolloutThrottle(() => new Map([['ns/a', 1]]));
    t.set('p', 'ns/a', 1);
    expect(t.available('p', 'ns/b', 2, 0)).toBe(1);
  });
});
