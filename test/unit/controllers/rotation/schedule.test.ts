// When a key's next rotation is due and when it may start: interval, cron in a DST zone, expiry
// less renewBefore, and windows/blackouts deferring the start (never past the key's expiry).
import { describe, expect, it } from 'vitest';
import type { RotationPolicySpec } from '../../../../src/api/v1alpha1/index.ts';
import {
  REASON_EXPIRING,
  REASON_SCHEDULED,
  isDue,
  nextRotation,
  type NextRotation,
  type NextRotationInput,
} from '../../../../src/controllers/rotation/schedule.ts';

const at = (iso: string): Date => new Date(iso);

const FUNDING_08 = { name: 'funding-08', start: '07:55', duration: '10m' };
const SATURDAYS = { name: 'saturdays', days: ['Sat' as const], start: '00:00', duration: '1d' };
const SATURDAY_NIGHT = { name: 'saturday', days: ['Sat' as const], start: '02:00', duration: '2h' };

interface Summary {
  dueAt: string;
  at: string;
  reason: string;
  deferredBy?: { kind: string; name: string };
}

const summary = (next: NextRotation | undefined): Summary | undefined =>
  next && {
    dueAt: next.dueAt.toISOString(),
    at: next.at.toISOString(),
    reason: next.reason,
    ...(next.deferredBy ? { deferredBy: next.deferredBy } : {}),
  };

interface Case {
  name: string;
  policy: RotationPolicySpec;
  activatedAt: string;
  expiresAt?: string;
  now: string;
  want: Summary | undefined;
  message?: string[];
}

describe('nextRotation', () => {
  it.each<Case>([
    {
      name: 'should be due one interval after activation when the policy has an interval',
      policy: { interval: '30d' }, activatedAt: '2025-01-01T00:00:00Z', now: '2025-01-02T00:00:00Z',
      want: { dueAt: '2025-01-31T00:00:00.000Z', at: '2025-01-31T00:00:00.000Z', reason: REASON_SCHEDULED },
      message: ['Scheduled rotation due 2025-01-31T00:00:00.000Z', 'interval 30d after the key became current at 2025-01-01T00:00:00.000Z'],
    },
    {
      name: 'should be due at 05:00 UTC when a Monday 06:00 London cron falls after the spring change',
      policy: { schedule: { cron: '0 6 * * 1', timeZone: 'Europe/London' } }, activatedAt: '2025-03-24T06:00:00Z', now: '2025-03-25T00:00:00Z',
      want: { dueAt: '2025-03-31T05:00:00.000Z', at: '2025-03-31T05:00:00.000Z', reason: REASON_SCHEDULED },
      message: ['schedule "0 6 * * 1" (Europe/London)'],
    },
    {
      name: 'should be due at 06:00 UTC when a Monday 06:00 London cron falls after the autumn change',
      policy: { schedule: { cron: '0 6 * * 1', timeZone: 'Europe/London' } }, activatedAt: '2025-10-20T05:00:00Z', now: '2025-10-21T00:00:00Z',
      want: { dueAt: '2025-10-27T06:00:00.000Z', at: '2025-10-27T06:00:00.000Z', reason: REASON_SCHEDULED },
    },
    {
      name: 'should take the next Monday when the key became current mid-week',
      policy: { schedule: { cron: '0 6 * * 1', timeZone: 'Europe/London' } }, activatedAt: '2025-01-08T12:00:00Z', now: '2025-01-08T12:00:00Z',
      want: { dueAt: '2025-01-13T06:00:00.000Z', at: '2025-01-13T06:00:00.000Z', reason: REASON_SCHEDULED },
    },
    {
      name: 'should take the following run when the key became current just after a run',
      policy: { schedule: { cron: '0 6 * * 1' } }, activatedAt: '2025-01-06T06:00:00.250Z', now: '2025-01-06T06:00:01Z',
      want: { dueAt: '2025-01-13T06:00:00.000Z', at: '2025-01-13T06:00:00.000Z', reason: REASON_SCHEDULED },
    },
    {
      name: 'should be due renewBefore (default 7d) ahead of expiry when that beats the schedule',
      policy: { interval: '90d' }, activatedAt: '2025-01-01T00:00:00Z', expiresAt: '2025-01-31T00:00:00Z', now: '2025-01-02T00:00:00Z',
      want: { dueAt: '2025-01-24T00:00:00.000Z', at: '2025-01-24T00:00:00.000Z', reason: REASON_EXPIRING },
      message: ['Expiring rotation due', 'key expires at 2025-01-31T00:00:00.000Z, renewBefore 7d'],
    },
    {
      name: 'should honour an explicit renewBefore when it beats a weekly cron',
      policy: { schedule: { cron: '0 6 * * 1' }, renewBefore: '3d' }, activatedAt: '2025-01-06T06:00:00Z', expiresAt: '2025-01-10T00:00:00Z', now: '2025-01-06T07:00:00Z',
      want: { dueAt: '2025-01-07T00:00:00.000Z', at: '2025-01-07T00:00:00.000Z', reason: REASON_EXPIRING },
    },
    {
      name: 'should stay Scheduled when the schedule comes before expiry less renewBefore',
      policy: { interval: '10d' }, activatedAt: '2025-01-01T00:00:00Z', expiresAt: '2025-03-01T00:00:00Z', now: '2025-01-02T00:00:00Z',
      want: { dueAt: '2025-01-11T00:00:00.000Z', at: '2025-01-11T00:00:00.000Z', reason: REASON_SCHEDULED },
    },
    {
      name: 'should renew at two thirds of the lifetime when renewBefore is longer than the key lives',
      policy: { interval: '90d', renewBefore: '7d' }, activatedAt: '2025-01-01T00:00:00Z', expiresAt: '2025-01-04T00:00:00Z', now: '2025-01-01T00:00:00Z',
      want: { dueAt: '2025-01-03T00:00:00.000Z', at: '2025-01-03T00:00:00.000Z', reason: REASON_EXPIRING },
      message: ['renewBefore 7d exceeds its 3d lifetime, so at two thirds of it'],
    },
    {
      name: 'should defer to the end of the funding blackout when due inside it',
      policy: { interval: '1d', blackouts: [FUNDING_08] }, activatedAt: '2025-01-05T08:00:00Z', now: '2025-01-05T09:00:00Z',
      want: { dueAt: '2025-01-06T08:00:00.000Z', at: '2025-01-06T08:05:00.000Z', reason: REASON_SCHEDULED, deferredBy: { kind: 'blackout', name: 'funding-08' } },
      message: ['deferred to 2025-01-06T08:05:00.000Z by blackout "funding-08"'],
    },
    {
      name: 'should defer to the next window opening when only a Saturday window is allowed',
      policy: { interval: '1d', windows: [SATURDAY_NIGHT] }, activatedAt: '2025-01-05T08:00:00Z', now: '2025-01-05T09:00:00Z',
      want: { dueAt: '2025-01-06T08:00:00.000Z', at: '2025-01-11T02:00:00.000Z', reason: REASON_SCHEDULED, deferredBy: { kind: 'window', name: 'saturday' } },
    },
    {
      name: 'should keep a deferral that still starts before the key expires',
      policy: { interval: '90d', renewBefore: '3h', blackouts: [FUNDING_08] }, activatedAt: '2025-01-01T00:00:00Z', expiresAt: '2025-01-06T11:00:00Z', now: '2025-01-02T00:00:00Z',
      want: { dueAt: '2025-01-06T08:00:00.000Z', at: '2025-01-06T08:05:00.000Z', reason: REASON_EXPIRING, deferredBy: { kind: 'blackout', name: 'funding-08' } },
    },
    {
      name: 'should rotate at the due time and say why when the key would expire inside a blackout',
      policy: { interval: '90d', renewBefore: '1h', blackouts: [SATURDAYS] }, activatedAt: '2025-01-01T00:00:00Z', expiresAt: '2025-01-11T03:00:00Z', now: '2025-01-02T00:00:00Z',
      want: { dueAt: '2025-01-11T02:00:00.000Z', at: '2025-01-11T02:00:00.000Z', reason: REASON_EXPIRING },
      message: ['starting at the due time anyway', 'blackout "saturdays" would hold it until 2025-01-12T00:00:00.000Z, but the key expires at 2025-01-11T03:00:00.000Z'],
    },
    {
      name: 'should rotate at the due time when no start is allowed within a year and the key expires',
      policy: { interval: '90d', windows: [SATURDAY_NIGHT], blackouts: [SATURDAYS] }, activatedAt: '2025-01-01T00:00:00Z', expiresAt: '2025-02-01T00:00:00Z', now: '2025-01-02T00:00:00Z',
      want: { dueAt: '2025-01-25T00:00:00.000Z', at: '2025-01-25T00:00:00.000Z', reason: REASON_EXPIRING },
      message: ['no start is allowed within a year'],
    },
    {
      name: 'should schedule nothing when no start is allowed within a year and nothing expires',
      policy: { interval: '30d', windows: [SATURDAY_NIGHT], blackouts: [SATURDAYS] }, activatedAt: '2025-01-01T00:00:00Z', now: '2025-01-02T00:00:00Z',
      want: undefined,
    },
    {
      name: 'should keep the past due time when overdue and nothing holds the rotation back now',
      policy: { interval: '1d', blackouts: [FUNDING_08] }, activatedAt: '2025-01-01T12:00:00Z', now: '2025-01-05T12:00:00Z',
      want: { dueAt: '2025-01-02T12:00:00.000Z', at: '2025-01-02T12:00:00.000Z', reason: REASON_SCHEDULED },
    },
    {
      name: 'should wait for the blackout to end when overdue and now is inside it',
      policy: { interval: '1d', blackouts: [FUNDING_08] }, activatedAt: '2025-01-01T12:00:00Z', now: '2025-01-05T08:01:00Z',
      want: { dueAt: '2025-01-02T12:00:00.000Z', at: '2025-01-05T08:05:00.000Z', reason: REASON_SCHEDULED, deferredBy: { kind: 'blackout', name: 'funding-08' } },
    },
    {
      name: 'should schedule nothing when the policy has no trigger and the key no expiry',
      policy: {}, activatedAt: '2025-01-01T00:00:00Z', now: '2025-01-02T00:00:00Z',
      want: undefined,
    },
  ])('$name', ({ policy, activatedAt, expiresAt, now, want, message }) => {
    const input: NextRotationInput = { policy, activatedAt: at(activatedAt), now: at(now), ...(expiresAt ? { expiresAt: at(expiresAt) } : {}) };
    const next = nextRotation(input);
    expect(summary(next)).toEqual(want);
    for (const part of message ?? []) expect(next?.message).toContain(part);
  });

  it.each([
    { name: 'should throw when the cron expression does not parse', policy: { schedule: { cron: '61 6 * * 1' } }, error: /invalid cron expression "61 6 \* \* 1"/ },
    { name: 'should throw when the cron expression has six fields', policy: { schedule: { cron: '0 0 6 * * 1' } }, error: /expected five fields/ },
    { name: 'should throw when the cron time zone is unknown', policy: { schedule: { cron: '0 6 * * 1', timeZone: 'Mars/Olympus' } }, error: /unknown time zone "Mars\/Olympus"/ },
    { name: 'should throw when the interval is malformed', policy: { interval: '30x' }, error: /invalid duration "30x"/ },
    { name: 'should throw naming the blackout when one is malformed', policy: { interval: '1d', blackouts: [{ name: 'open', start: '9:30', duration: '5m' }] }, error: /open: invalid start "9:30"/ },
  ])('$name', ({ policy, error }) => {
    expect(() => nextRotation({ policy, activatedAt: at('2025-01-01T00:00:00Z'), now: at('2025-01-01T00:00:00Z') })).toThrow(error);
  });
});

describe('isDue', () => {
  const next: NextRotation = { dueAt: at('2025-01-06T08:00:00Z'), at: at('2025-01-06T08:05:00Z'), reason: REASON_SCHEDULED, message: '' };
  it.each([
    { name: 'should not be due when nothing is scheduled', next: undefined, now: '2025-01-07T00:00:00Z', due: false },
    { name: 'should not be due when the start is still ahead even if dueAt has passed', next, now: '2025-01-06T08:04:59Z', due: false },
    { name: 'should be due at the start instant', next, now: '2025-01-06T08:05:00Z', due: true },
    { name: 'should be due after the start', next, now: '2025-01-09T00:00:00Z', due: true },
  ])('$name', ({ next: n, now, due }) => {
    expect(isDue(n, at(now))).toBe(due);
  });
});
