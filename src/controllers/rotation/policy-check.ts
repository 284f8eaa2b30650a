// What is wrong with a RotationPolicy beyond what the CRD schema and CEL already refuse: cron
// expressions and time zones that do not parse, durations that make no sense together, windows
// that never open. Each message starts with the field path so `kubectl describe` points at it.
import type { RotationPolicySpec } from '../../api/v1alpha1/index.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { cronOccurrenceAfter, cronOccurrences } from './schedule.ts';
import { earliestAllowed, isValidTimeZone, parseStart, WEEKDAYS, type RecurringWindow } from './windows.ts';

// Checks that depend on dates (cron gaps, windows opening) look from a fixed instant rather than
// the clock, so one spec always gets the same verdict and the Ready condition does not flap; a
// year from any instant sees every weekly pattern under both DST regimes.
const REFERENCE = new Date('2025-01-01T00:00:00Z');
// Enough consecutive cron runs to see the shortest gap of any practical schedule (e.g. */5 * * * *
// or 0 6 1,2 * *) without walking a year of minutes.
const CRON_RUNS_SAMPLED = 64;
// The CRD default, for policies read before defaulting (e.g. in tests or a dry run).
const DEFAULT_OVERLAP = '10m';

type Check = (spec: RotationPolicySpec) => string[];

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Problems with one duration field; `positive` refuses 0 where it would mean a hot loop or nothing. */
function durationProblems(path: string, text: string | undefined, positive: boolean): string[] {
  if (text === undefined) return [];
  try {
    const ms = parseDuration(text);
    return positive && ms === 0 ? [`${path}: must be longer than 0s`] : [];
  } catch (err) {
    return [`${path}: ${errorText(err)}`];
  }
}

const exactlyOneTrigger: Check = (spec) =>
  (spec.interval === undefined) === (spec.schedule === undefined) ? ['spec: set exactly one of interval or schedule'] : [];

const durations: Check = (spec) => [
  ...durationProblems('spec.interval', spec.interval, true),
  ...durationProblems('spec.overlap', spec.overlap, false),
  ...durationProblems('spec.renewBefore', spec.renewBefore, false),
  ...durationProblems('spec.revalidateInterval', spec.revalidateInterval, true),
  ...durationProblems('spec.rollout.progressDeadline', spec.rollout?.progressDeadline, true),
];

const schedule: Check = (spec) => {
  if (!spec.schedule) return [];
  const { cron, timeZone = 'UTC' } = spec.schedule;
  const problems = isValidTimeZone(timeZone) ? [] : [`spec.schedule.timeZone: unknown IANA time zone ${JSON.stringify(timeZone)}`];
  try {
    // Evaluated in UTC when the zone is bad, so a good expression is not blamed for it.
    cronOccurrenceAfter(cron, isValidTimeZone(timeZone) ? timeZone : 'UTC', REFERENCE);
  } catch (err) {
    problems.push(`spec.schedule.cron: ${errorText(err)}`);
  }
  return problems;
};

function windowProblems(path: string, w: RecurringWindow): string[] {
  const problems: string[] = [];
  try {
    parseStart(w.start);
  } catch (err) {
    problems.push(`${path}.start: ${errorText(err)}`);
  }
  problems.push(...durationProblems(`${path}.duration`, w.duration, true));
  if (w.timeZone !== undefined && !isValidTimeZone(w.timeZone)) problems.push(`${path}.timeZone: unknown IANA time zone ${JSON.stringify(w.timeZone)}`);
  const days = w.days ?? [];
  const unknown = days.filter((d) => !(WEEKDAYS as readonly string[]).includes(d));
  if (unknown.length > 0) problems.push(`${path}.days: unknown day(s) ${unknown.join(', ')}; use ${WEEKDAYS.join(', ')}`);
  return problems;
}

const windowLists: Check = (spec) => [
  ...(spec.windows ?? []).flatMap((w, i) => windowProblems(`spec.windows[${i}]`, w)),
  ...(spec.blackouts ?? []).flatMap((w, i) => windowProblems(`spec.blackouts[${i}]`, w)),
];

/** Windows and blackouts together must leave some instant to start in; checked once each item is well formed. */
const somethingOpens: Check = (spec) => {
  const windows = spec.windows ?? [];
  const blackouts = spec.blackouts ?? [];
  if ((windows.length === 0 && blackouts.length === 0) || windowLists(spec).length > 0) return [];
  if (earliestAllowed(REFERENCE, windows, blackouts)) return [];
  return windows.length > 0
    ? ['spec.windows: no window opens outside the blackouts within a year, so scheduled rotations never start']
    : ['spec.blackouts: the blackouts cover every instant of a year, so scheduled rotations never start'];
};

/** The shortest time between rotations the trigger allows, if it can be worked out. */
function shortestCycle(spec: RotationPolicySpec): number | undefined {
  try {
    if (spec.interval !== undefined) return parseDuration(spec.interval);
    if (!spec.schedule) return undefined;
    const runs = cronOccurrences(spec.schedule.cron, spec.schedule.timeZone ?? 'UTC', REFERENCE, CRON_RUNS_SAMPLED);
    let shortest = Infinity;
    for (let i = 1; i < runs.length; i++) shortest = Math.min(shortest, (runs[i]?.getTime() ?? Infinity) - (runs[i - 1]?.getTime() ?? 0));
    return shortest;
  } catch {
    return undefined; // already reported by the field's own check
  }
}

/** An overlap longer than the cycle would start the next rotation before the last one's old key is revoked. */
const overlapFits: Check = (spec) => {
  const cycle = shortestCycle(spec);
  let overlap: number;
  try {
    overlap = parseDuration(spec.overlap ?? DEFAULT_OVERLAP);
  } catch {
    return [];
  }
  // A zero or unknown cycle is reported by the trigger's own check.
  if (cycle === undefined || cycle === 0 || overlap <= cycle) return [];
  const trigger = spec.interval !== undefined ? `spec.interval (${spec.interval})` : `the ${formatDuration(cycle)} between runs of spec.schedule.cron`;
  return [`spec.overlap: ${spec.overlap ?? DEFAULT_OVERLAP} is longer than ${trigger}, so a rotation would be due before the previous old key is revoked`];
};

const CHECKS: readonly Check[] = [exactlyOneTrigger, durations, schedule, windowLists, somethingOpens, overlapFits];

/** Every problem with `spec` as `field.path: message` lines; empty when the policy is valid. */
export function policyProblems(spec: RotationPolicySpec): string[] {
  return CHECKS.flatMap((check) => check(spec));
}

const checked = new Map<string, string[]>();
const MAX_CHECKED = 256;

/** policyProblems, memoized by the spec's content: every reconcile of a governed key asks again. */
export function cachedPolicyProblems(spec: RotationPolicySpec): string[] {
  const id = JSON.stringify(spec);
  let problems = checked.get(id);
  if (!problems) {
    problems = policyProblems(spec);
    if (checked.size >= MAX_CHECKED) checked.clear();
    checked.set(id, problems);
  }
  return problems;
}
