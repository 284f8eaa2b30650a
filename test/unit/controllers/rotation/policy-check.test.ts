// What makes a RotationPolicy not Ready: every problem names the field it is about.
import { describe, expect, it } from 'vitest';
import type { RotationPolicySpec } from '../../../../src/api/v1alpha1/index.ts';
import { policyProblems } from '../../../../src/controllers/rotation/policy-check.ts';

const FUNDING = [
  { name: 'funding-00', start: '23:55', duration: '10m' },
  { name: 'funding-08', start: '07:55', duration: '10m' },
  { name: 'funding-16', start: '15:55', duration: '10m' },
];

describe('policyProblems', () => {
  it.each<{ name: string; spec: RotationPolicySpec; problems: string[] }>([
    { name: 'should accept an interval policy with defaults', spec: { interval: '30d' }, problems: [] },
    {
      name: 'should accept a full policy with a London cron, windows and blackouts',
      spec: {
        schedule: { cron: '0 6 * * 1', timeZone: 'Europe/London' },
        overlap: '10m', renewBefore: '7d', revalidateInterval: '1h', rollout: { progressDeadline: '10m', maxConcurrent: 1 },
        windows: [{ name: 'weekdays', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '06:00', duration: '10h', timeZone: 'Europe/London' }],
        blackouts: [...FUNDING, { name: 'us-open', start: '09:30:00', duration: '5m', timeZone: 'America/New_York' }],
      },
      problems: [],
    },
    { name: 'should refuse a policy with neither interval nor schedule', spec: {}, problems: ['spec: set exactly one of interval or schedule'] },
    { name: 'should refuse a policy with both interval and schedule', spec: { interval: '30d', schedule: { cron: '0 6 * * 1' } }, problems: ['spec: set exactly one of interval or schedule'] },
    { name: 'should name spec.interval when it is malformed', spec: { interval: '30x' }, problems: ['spec.interval: invalid duration "30x"'] },
    { name: 'should name spec.interval when it is zero', spec: { interval: '0s' }, problems: ['spec.interval: must be longer than 0s'] },
    { name: 'should name spec.schedule.cron when a field is out of range', spec: { schedule: { cron: '61 6 * * 1' } }, problems: ['spec.schedule.cron: invalid cron expression "61 6 * * 1"'] },
    { name: 'should name spec.schedule.cron when it does not parse', spec: { schedule: { cron: 'every monday' } }, problems: ['spec.schedule.cron: expected five fields'] },
    { name: 'should name spec.schedule.cron when it has a seconds field', spec: { schedule: { cron: '0 0 6 * * 1' } }, problems: ['spec.schedule.cron: expected five fields'] },
    { name: 'should name spec.schedule.cron when it never fires', spec: { schedule: { cron: '0 0 30 2 *' } }, problems: ['spec.schedule.cron: invalid cron expression "0 0 30 2 *"'] },
    { name: 'should name spec.schedule.cron when it uses random H', spec: { schedule: { cron: 'H 6 * * 1' } }, problems: ['spec.schedule.cron: "H" (random) is not supported'] },
    { name: 'should accept THU as a day name even though it contains H', spec: { schedule: { cron: '0 6 * * THU' } }, problems: [] },
    { name: 'should name spec.schedule.timeZone when the zone is unknown', spec: { schedule: { cron: '0 6 * * 1', timeZone: 'Europe/Londn' } }, problems: ['spec.schedule.timeZone: unknown IANA time zone "Europe/Londn"'] },
    {
      name: 'should report every bad duration field',
      spec: { interval: '30d', overlap: '10 m', renewBefore: '1w', revalidateInterval: '0s', rollout: { progressDeadline: '0m' } },
      problems: ['spec.overlap: invalid duration "10 m"', 'spec.renewBefore: invalid duration "1w"', 'spec.revalidateInterval: must be longer than 0s', 'spec.rollout.progressDeadline: must be longer than 0s'],
    },
    {
      name: 'should name each bad field of a window by its index',
      spec: { interval: '30d', windows: [{ start: '06:00', duration: '1h' }, { start: '24:00', duration: '0s', timeZone: 'Mars/Olympus', days: ['Mon', 'Funday' as 'Mon'] }] },
      problems: ['spec.windows[1].start: invalid start "24:00"', 'spec.windows[1].duration: must be longer than 0s', 'spec.windows[1].timeZone: unknown IANA time zone "Mars/Olympus"', 'spec.windows[1].days: unknown day(s) Funday'],
    },
    { name: 'should name a bad blackout field by its index', spec: { interval: '30d', blackouts: [...FUNDING, { start: '9:30', duration: '5m' }] }, problems: ['spec.blackouts[3].start: invalid start "9:30"'] },
    {
      name: 'should refuse windows that blackouts always cover',
      spec: { interval: '30d', windows: [{ days: ['Sat'], start: '02:00', duration: '2h' }], blackouts: [{ days: ['Sat'], start: '00:00', duration: '1d' }] },
      problems: ['spec.windows: no window opens outside the blackouts within a year'],
    },
    { name: 'should refuse blackouts that cover every instant', spec: { interval: '30d', blackouts: [{ start: '00:00', duration: '1d' }] }, problems: ['spec.blackouts: the blackouts cover every instant of a year'] },
    { name: 'should refuse an overlap longer than the interval', spec: { interval: '1h', overlap: '2h' }, problems: ['spec.overlap: 2h is longer than spec.interval (1h)'] },
    { name: 'should refuse the default overlap when the interval is shorter', spec: { interval: '5m' }, problems: ['spec.overlap: 10m is longer than spec.interval (5m)'] },
    { name: 'should refuse an overlap longer than the shortest gap between cron runs', spec: { schedule: { cron: '0 6 1,2 * *' }, overlap: '2d' }, problems: ['spec.overlap: 2d is longer than the 1d between runs of spec.schedule.cron'] },
    { name: 'should accept an overlap equal to the interval', spec: { interval: '1h', overlap: '1h' }, problems: [] },
  ])('$name', ({ spec, problems }) => {
    const found = policyProblems(spec);
    expect(found).toHaveLength(problems.length);
    problems.forEach((p, i) => { expect(found[i]).toContain(p); });
  });
});
