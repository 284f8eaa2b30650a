// Recurring windows and blackouts: membership and openings in each window's own time zone (DST
// included), and the earliest instant a rotation may start.
import { describe, expect, it } from 'vitest';
import {
  earliestAllowed,
  isInside,
  nextOpening,
  type RecurringWindow,
} from '../../../../src/controllers/rotation/windows.ts';

const at = (iso: string): Date => new Date(iso);

// Perpetual-swap funding at 00:00, 08:00 and 16:00 UTC, five minutes either side.
const FUNDING: RecurringWindow[] = [
  { name: 'funding-00', start: '23:55', duration: '10m' },
  { name: 'funding-08', start: '07:55', duration: '10m' },
  { name: 'funding-16', start: '15:55', duration: '10m' },
];
const US_OPEN: RecurringWindow = { name: 'us-open', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '09:30', duration: '5m', timeZone: 'America/New_York' };
const SATURDAY_NIGHT: RecurringWindow = { name: 'saturday', days: ['Sat'], start: '02:00', duration: '2h' };

describe('isInside', () => {
  it.each<{ name: string; window: RecurringWindow; when: string; inside: boolean }>([
    { name: 'should be inside a New York window at 18:30 UTC in winter', window: US_OPEN, when: '2025-01-06T14:32:00Z', inside: true },
    { name: 'should be outside a New York window at the winter UTC time in summer', window: US_OPEN, when: '2025-07-07T14:32:00Z', inside: false },
    { name: 'should be inside a New York window an hour earlier in UTC in summer', window: US_OPEN, when: '2025-07-07T13:32:00Z', inside: true },
    { name: 'should include the opening instant', window: US_OPEN, when: '2025-01-06T14:30:00Z', inside: true },
    { name: 'should exclude the closing instant', window: US_OPEN, when: '2025-01-06T14:35:00Z', inside: false },
    { name: 'should be outside on a day the window does not open', window: US_OPEN, when: '2025-01-11T14:32:00Z', inside: false },
    { name: 'should be inside after midnight when a window crosses it', window: { start: '23:00', duration: '2h' }, when: '2025-01-07T00:30:00Z', inside: true },
    { name: 'should be inside on the next day when a Saturday window runs into Sunday', window: { days: ['Sat'], start: '23:00', duration: '2h' }, when: '2025-01-12T00:30:00Z', inside: true },
    { name: 'should be inside on Monday when a weekend window lasts 60 hours', window: { days: ['Fri'], start: '18:00', duration: '2d12h' }, when: '2025-01-13T05:59:59Z', inside: true },
    { name: 'should be outside when a 60-hour weekend window has closed', window: { days: ['Fri'], start: '18:00', duration: '2d12h' }, when: '2025-01-13T06:00:00Z', inside: false },
    { name: 'should be inside always when a weekly window lasts longer than a week', window: { days: ['Wed'], start: '12:00', duration: '8d' }, when: '2025-01-14T23:00:00Z', inside: true },
    { name: 'should honour seconds when a start is HH:MM:SS', window: { start: '07:59:30', duration: '1m' }, when: '2025-01-06T07:59:29Z', inside: false },
    { name: 'should open on the second when a start is HH:MM:SS', window: { start: '07:59:30', duration: '1m' }, when: '2025-01-06T07:59:30Z', inside: true },
    { name: 'should read start in Tokyo time when the window says so', window: { start: '09:00', duration: '1h', timeZone: 'Asia/Tokyo' }, when: '2025-01-06T00:30:00Z', inside: true },
  ])('$name', ({ window, when, inside }) => {
    expect(isInside(window, at(when))).toBe(inside);
  });

  it('should throw naming the window when its time zone is unknown', () => {
    expect(() => isInside({ name: 'bad', start: '10:00', duration: '1h', timeZone: 'Mars/Olympus' }, at('2025-01-06T00:00:00Z'))).toThrow('bad: unknown time zone "Mars/Olympus"');
  });
});

describe('nextOpening', () => {
  it.each<{ name: string; window: RecurringWindow; after: string; opening: string }>([
    { name: 'should open at 18:30 UTC when a 13:30 New York window is in winter', window: { start: '13:30', duration: '5m', timeZone: 'America/New_York' }, after: '2025-01-06T00:00:00Z', opening: '2025-01-06T18:30:00.000Z' },
    { name: 'should open at 17:30 UTC when a 13:30 New York window is in summer', window: { start: '13:30', duration: '5m', timeZone: 'America/New_York' }, after: '2025-07-07T00:00:00Z', opening: '2025-07-07T17:30:00.000Z' },
    { name: 'should follow the clock change when DST starts in between', window: { start: '13:30', duration: '5m', timeZone: 'America/New_York' }, after: '2025-03-08T18:31:00Z', opening: '2025-03-09T17:30:00.000Z' },
    { name: 'should open when the clock jumps past a start skipped by DST', window: { start: '02:30', duration: '1h', timeZone: 'America/New_York' }, after: '2025-03-09T00:00:00Z', opening: '2025-03-09T07:00:00.000Z' },
    { name: 'should open at the first of two readings when DST repeats a start', window: { start: '01:30', duration: '1h', timeZone: 'America/New_York' }, after: '2025-11-02T00:00:00Z', opening: '2025-11-02T05:30:00.000Z' },
    { name: 'should open in London summer time when a London window is after the change', window: { start: '06:00', duration: '1h', timeZone: 'Europe/London' }, after: '2025-03-30T00:00:00Z', opening: '2025-03-30T05:00:00.000Z' },
    { name: 'should wait for the next listed day when today is not one', window: SATURDAY_NIGHT, after: '2025-01-06T08:00:00Z', opening: '2025-01-11T02:00:00.000Z' },
    { name: 'should skip an opening that is not strictly later', window: SATURDAY_NIGHT, after: '2025-01-11T02:00:00Z', opening: '2025-01-18T02:00:00.000Z' },
  ])('$name', ({ window, after, opening }) => {
    expect(nextOpening(window, at(after))?.toISOString()).toBe(opening);
  });
});

interface AllowedCase {
  name: string;
  due: string;
  windows?: RecurringWindow[];
  blackouts?: RecurringWindow[];
  want: { at: string; deferredBy?: { kind: 'blackout' | 'window'; name: string } } | undefined;
}

describe('earliestAllowed', () => {
  it.each<AllowedCase>([
    { name: 'should allow the due time when there are no windows or blackouts', due: '2025-01-06T08:00:00Z', want: { at: '2025-01-06T08:00:00.000Z' } },
    { name: 'should treat an empty window list as no restriction', due: '2025-01-06T08:00:00Z', windows: [], want: { at: '2025-01-06T08:00:00.000Z' } },
    { name: 'should allow the due time when it is outside every blackout', due: '2025-01-06T09:00:00Z', blackouts: FUNDING, want: { at: '2025-01-06T09:00:00.000Z' } },
    { name: 'should defer to the end of a funding blackout when due at 08:00 UTC', due: '2025-01-06T08:00:00Z', blackouts: FUNDING, want: { at: '2025-01-06T08:05:00.000Z', deferredBy: { kind: 'blackout', name: 'funding-08' } } },
    { name: 'should allow the instant a blackout ends', due: '2025-01-06T08:05:00Z', blackouts: FUNDING, want: { at: '2025-01-06T08:05:00.000Z' } },
    { name: 'should defer to 09:35 New York time when due during the US open in winter', due: '2025-01-06T14:31:00Z', blackouts: [US_OPEN], want: { at: '2025-01-06T14:35:00.000Z', deferredBy: { kind: 'blackout', name: 'us-open' } } },
    { name: 'should defer to 09:35 New York time when due during the US open in summer', due: '2025-07-07T13:31:00Z', blackouts: [US_OPEN], want: { at: '2025-07-07T13:35:00.000Z', deferredBy: { kind: 'blackout', name: 'us-open' } } },
    { name: 'should not defer at the winter UTC time of the US open in summer', due: '2025-07-07T14:31:00Z', blackouts: [US_OPEN], want: { at: '2025-07-07T14:31:00.000Z' } },
    { name: 'should defer to the next opening when only a Saturday window is allowed', due: '2025-01-06T08:00:00Z', windows: [SATURDAY_NIGHT], want: { at: '2025-01-11T02:00:00.000Z', deferredBy: { kind: 'window', name: 'saturday' } } },
    { name: 'should allow the due time when it is inside a window', due: '2025-01-11T03:00:00Z', windows: [SATURDAY_NIGHT], want: { at: '2025-01-11T03:00:00.000Z' } },
    { name: 'should wait for next week when due as the window closes', due: '2025-01-11T04:00:00Z', windows: [SATURDAY_NIGHT], want: { at: '2025-01-18T02:00:00.000Z', deferredBy: { kind: 'window', name: 'saturday' } } },
    { name: 'should pick the earliest of several windows', due: '2025-01-06T08:00:00Z', windows: [SATURDAY_NIGHT, { name: 'wednesday', days: ['Wed'], start: '12:00', duration: '1h' }], want: { at: '2025-01-08T12:00:00.000Z', deferredBy: { kind: 'window', name: 'wednesday' } } },
    { name: 'should defer past midnight when a blackout crosses it', due: '2025-01-06T23:30:00Z', blackouts: [{ name: 'maintenance', start: '23:00', duration: '2h' }], want: { at: '2025-01-07T01:00:00.000Z', deferredBy: { kind: 'blackout', name: 'maintenance' } } },
    { name: 'should defer past midnight when due after midnight inside a blackout that began the day before', due: '2025-01-07T00:30:00Z', blackouts: [{ name: 'maintenance', start: '23:00', duration: '2h' }], want: { at: '2025-01-07T01:00:00.000Z', deferredBy: { kind: 'blackout', name: 'maintenance' } } },
    {
      name: 'should chain through overlapping blackouts to the end of the last',
      due: '2025-01-06T10:10:00Z',
      blackouts: [{ name: 'a', start: '10:00', duration: '30m' }, { name: 'b', start: '10:20', duration: '40m' }, { name: 'c', start: '10:55', duration: '15m' }],
      want: { at: '2025-01-06T11:10:00.000Z', deferredBy: { kind: 'blackout', name: 'c' } },
    },
    { name: 'should name a blackout by its index when it has no name', due: '2025-01-06T10:10:00Z', blackouts: [{ start: '10:00', duration: '30m' }], want: { at: '2025-01-06T10:30:00.000Z', deferredBy: { kind: 'blackout', name: 'blackouts[0]' } } },
    { name: 'should let a blackout win over a window that is open', due: '2025-01-11T02:00:00Z', windows: [SATURDAY_NIGHT], blackouts: [{ name: 'late-funding', start: '01:50', duration: '40m' }], want: { at: '2025-01-11T02:30:00.000Z', deferredBy: { kind: 'blackout', name: 'late-funding' } } },
    { name: 'should wait for the window and then for a blackout at its opening', due: '2025-01-06T08:00:00Z', windows: [SATURDAY_NIGHT], blackouts: [{ name: 'early', days: ['Sat'], start: '01:00', duration: '1h30m' }], want: { at: '2025-01-11T02:30:00.000Z', deferredBy: { kind: 'blackout', name: 'early' } } },
    { name: 'should wait for next week when a blackout outlasts the window', due: '2025-01-11T03:30:00Z', windows: [SATURDAY_NIGHT], blackouts: [{ name: 'late', days: ['Sat'], start: '03:00', duration: '2h' }], want: { at: '2025-01-18T02:00:00.000Z', deferredBy: { kind: 'window', name: 'saturday' } } },
    { name: 'should defer to a seconds-precision end when a blackout starts at HH:MM:SS', due: '2025-01-06T08:00:00Z', blackouts: [{ name: 'tick', start: '07:59:30', duration: '1m' }], want: { at: '2025-01-06T08:00:30.000Z', deferredBy: { kind: 'blackout', name: 'tick' } } },
    { name: 'should find nothing when a blackout covers every opening of the only window', due: '2025-01-06T08:00:00Z', windows: [SATURDAY_NIGHT], blackouts: [{ name: 'saturdays', days: ['Sat'], start: '00:00', duration: '1d' }], want: undefined },
    { name: 'should find nothing when blackouts cover every instant', due: '2025-01-06T08:00:00Z', blackouts: [{ name: 'always', start: '00:00', duration: '1d' }], want: undefined },
    { name: 'should find nothing when the only window never stays open', due: '2025-01-06T08:00:00Z', windows: [{ name: 'instant', start: '00:00', duration: '0s' }], want: undefined },
  ])('$name', ({ due, windows, blackouts, want }) => {
    const got = earliestAllowed(at(due), windows, blackouts);
    expect(got && { at: got.at.toISOString(), ...(got.deferredBy ? { deferredBy: got.deferredBy } : {}) }).toEqual(want);
  });
});
