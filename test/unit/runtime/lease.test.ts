import { describe, expect, it } from 'vitest';
import { decide, fingerprint, microTime, nextRecord, observe, releasedRecord, type LeaseRecord } from '../../../src/runtime/lease.ts';

const ME = { identity: 'exkey-a_1', leaseDurationMs: 15_000 };
const held = (holder: string, renewTime = '2026-11-22T12:00:00.000000Z'): LeaseRecord => ({ holderIdentity: holder, renewTime, leaseDurationSeconds: 15, leaseTransitions: 2 });

describe('decide', () => {
  it.each([
    { when: 'no lease exists', record: undefined, seenAgoMs: 0, want: { kind: 'create' } },
    { when: 'this replica holds it', record: held('exkey-a_1'), seenAgoMs: 60_000, want: { kind: 'renew' } },
    { when: 'it was released (no holder)', record: held(''), seenAgoMs: 0, want: { kind: 'takeover' } },
    { when: 'another replica renewed it 5 s ago (by this clock)', record: held('exkey-b_2'), seenAgoMs: 5_000, want: { kind: 'wait', holder: 'exkey-b_2', expiresInMs: 10_000 } },
    { when: 'another replica has not renewed it for a lease duration', record: held('exkey-b_2'), seenAgoMs: 15_000, want: { kind: 'takeover' } },
  ])('should $want.kind when $when', ({ record, seenAgoMs, want }) => {
    const now = 1_000_000;
    expect(decide(record, ME, { fingerprint: fingerprint(record), atMs: now - seenAgoMs }, now)).toEqual(want);
  });
});

describe('observe', () => {
  it('should keep the first sighting of an unchanged record, so a dead leader expires by this clock', () => {
    const record = held('exkey-b_2');
    const first = observe(undefined, record, 100);
    expect(observe(first, { ...record }, 5_000)).toBe(first);
  });

  it('should restart the count when the holder renews, whatever time it wrote (clock skew is harmless)', () => {
    const first = observe(undefined, held('exkey-b_2', '2030-01-01T00:00:00.000000Z'), 100);
    expect(observe(first, held('exkey-b_2', '2020-01-01T00:00:00.000000Z'), 9_000)).toEqual({ fingerprint: expect.any(String), atMs: 9_000 });
  });
});

describe('nextRecord', () => {
  const now = new Date('2026-11-22T12:00:01.234Z');

  it('should count a takeover as a transition and stamp acquire and renew times', () => {
    expect(nextRecord('takeover', held('exkey-b_2'), ME, now)).toEqual({
      holderIdentity: 'exkey-a_1', leaseDurationSeconds: 15, acquireTime: '2026-11-22T12:00:01.234000Z', renewTime: '2026-11-22T12:00:01.234000Z', leaseTransitions: 3,
    });
  });

  it('should keep acquireTime and transitions on a renewal', () => {
    const mine = { ...held('exkey-a_1'), acquireTime: '2026-11-22T11:00:00.000000Z' };
    expect(nextRecord('renew', mine, ME, now)).toMatchObject({ acquireTime: '2026-11-22T11:00:00.000000Z', leaseTransitions: 2, renewTime: '2026-11-22T12:00:01.234000Z' });
  });

  it('should hand the lease back with no holder and a 1 s duration', () => {
    expect(releasedRecord(held('exkey-a_1'), now)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 2 });
  });

  it('should write MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2026-01-02T03:04:05.006Z'))).toBe('2026-01-02T03:04:05.006000Z');
  });
});
