// Recurring windows (allowed rotation windows and blackouts), each read in its own IANA time zone.
// luxon supplies the zones' UTC offsets; turning a wall-clock start into an instant is done here
// because exkey wants a rule luxon's DateTime does not offer: a start skipped by DST opens when the
// clock jumps past it (not an hour later), and a start repeated by DST opens at its first occurrence.
// In both cases the opening is the first instant at which the local clock shows the start or later.
import { IANAZone } from 'luxon';
import type { RotationPolicySpec } from '../../api/v1alpha1/index.ts';
import { parseDuration } from './duration.ts';

/** A window or blackout as the RotationPolicy spells it (both lists share one schema). */
export type RecurringWindow = NonNullable<RotationPolicySpec['windows']>[number];

/** What held a rotation back: the blackout it waited out or the window it waited for. */
export interface Deferral {
  kind: 'blackout' | 'window';
  name: string;
}

/** The earliest permitted start and, when it is later than asked, what it waited for. */
export interface AllowedTime {
  at: Date;
  deferredBy?: Deferral;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far earliestAllowed looks before it gives up: a year, so every weekly pattern and both DST regimes are seen. */
export const SEARCH_HORIZON_MS = 366 * DAY_MS;
// Openings recur at least weekly, and a week is at most 7d + 1h of elapsed time across DST, so any
// 8-day span holds an opening and the latest opening before an instant is less than 8 days old.
const WEEK_SPAN_MS = 8 * DAY_MS;
// Local days are indexed by UTC day number ± this margin: offsets lie within -12h..+14h, and a
// second day each side covers transitions at midnight.
const DAY_MARGIN = 2;
/** Day names as windows spell them, indexed like Date#getUTCDay (Sunday first). */
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const START = /^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$/;

/** A window ready to evaluate; openings are memoised per local day for the life of one search. */
interface Compiled {
  name: string;
  zone: IANAZone;
  startInDay: number;
  duration: number;
  days: ReadonlySet<number> | undefined;
  openings: Map<number, number | undefined>;
}

/** True when `name` is an IANA time zone this runtime knows (e.g. `Europe/London`, `UTC`). */
export function isValidTimeZone(name: string): boolean {
  return name !== '' && IANAZone.isValidZone(name);
}

/** Milliseconds after local midnight for a start `HH:MM` or `HH:MM:SS`; throws on anything else. */
export function parseStart(text: string): number {
  const match = START.exec(text);
  if (!match) throw new Error(`invalid start ${JSON.stringify(text)}: expected HH:MM or HH:MM:SS (24h)`);
  const [, hours, minutes, seconds] = match;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds ?? 0)) * 1000;
}

/** Checks and prepares one window; throws an Error naming the window and the bad field. */
function compile(window: RecurringWindow, name: string): Compiled {
  const timeZone = window.timeZone ?? 'UTC';
  try {
    if (!isValidTimeZone(timeZone)) throw new Error(`unknown time zone ${JSON.stringify(timeZone)}`);
    const days = window.days && window.days.length > 0 ? new Set(window.days.map(weekdayIndex)) : undefined;
    return {
      name,
      zone: IANAZone.create(timeZone),
      startInDay: parseStart(window.start),
      duration: parseDuration(window.duration),
      days,
      openings: new Map(),
    };
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
  }
}

function weekdayIndex(day: string): number {
  const index = (WEEKDAYS as readonly string[]).indexOf(day);
  if (index < 0) throw new Error(`invalid day ${JSON.stringify(day)}: expected one of ${WEEKDAYS.join(', ')}`);
  return index;
}

function compileAll(windows: readonly RecurringWindow[] | undefined, kind: string): Compiled[] {
  return (windows ?? []).map((w, i) => compile(w, w.name ?? `${kind}[${i}]`));
}

/** The first instant at which the zone's clock shows `local` (wall-clock ms on a UTC scale) or later. */
function wallClockToInstant(zone: IANAZone, local: number): number {
  // One candidate per offset in force around that day: exact ones are real readings of the clock.
  const early = local - zone.offset(local - DAY_MS) * MINUTE_MS;
  const late = local - zone.offset(local + DAY_MS) * MINUTE_MS;
  const exact = [early, late].filter((t) => t + zone.offset(t) * MINUTE_MS === local);
  if (exact.length > 0) return Math.min(...exact);
  // Neither is: `local` falls in a DST gap, so it opens when the clock jumps past it.
  return firstInstantWithOffsetOf(zone, Math.min(early, late), Math.max(early, late));
}

/** Binary search for the transition in (lo, hi]: the first instant with hi's offset. */
function firstInstantWithOffsetOf(zone: IANAZone, lo: number, hi: number): number {
  const target = zone.offset(hi);
  let [below, above] = [lo, hi];
  while (above - below > 1) {
    const mid = Math.floor((below + above) / 2);
    if (zone.offset(mid) === target) above = mid;
    else below = mid;
  }
  return above;
}

/** When the window opens on local day number `day` (days since 1970-01-01), if it does. */
function openingOn(c: Compiled, day: number): number | undefined {
  if (c.openings.has(day)) return c.openings.get(day);
  // 1970-01-01 was a Thursday (index 4).
  const weekday = (((day + 4) % 7) + 7) % 7;
  const opening = c.days && !c.days.has(weekday) ? undefined : wallClockToInstant(c.zone, day * DAY_MS + c.startInDay);
  c.openings.set(day, opening);
  return opening;
}

/** Every opening on the local days that can hold an instant in [from, to]. */
function openingsBetween(c: Compiled, from: number, to: number): number[] {
  const result: number[] = [];
  const last = Math.floor(to / DAY_MS) + DAY_MARGIN;
  for (let day = Math.floor(from / DAY_MS) - DAY_MARGIN; day <= last; day++) {
    const opening = openingOn(c, day);
    if (opening !== undefined) result.push(opening);
  }
  return result;
}

/** When the window stops covering `t` (the latest close among openings covering it), or undefined. */
function coveredUntil(c: Compiled, t: number): number | undefined {
  let end: number | undefined;
  for (const opening of openingsBetween(c, t - Math.min(c.duration, WEEK_SPAN_MS), t)) {
    const close = opening + c.duration;
    if (opening <= t && t < close && (end === undefined || close > end)) end = close;
  }
  return end;
}

/** The first opening strictly after `t`. */
function openingAfter(c: Compiled, t: number): number | undefined {
  const later = openingsBetween(c, t, t + WEEK_SPAN_MS).filter((opening) => opening > t);
  return later.length > 0 ? Math.min(...later) : undefined;
}

/** True when `at` lies inside an opening of the window (start inclusive, end exclusive). */
export function isInside(window: RecurringWindow, at: Date): boolean {
  return coveredUntil(compile(window, window.name ?? 'window'), at.getTime()) !== undefined;
}

/** The window's first opening strictly after `after` (always within 8 days). */
export function nextOpening(window: RecurringWindow, after: Date): Date | undefined {
  const opening = openingAfter(compile(window, window.name ?? 'window'), after.getTime());
  return opening === undefined ? undefined : new Date(opening);
}

/** Why a candidate instant is not allowed, and the earliest instant worth trying next. */
interface Hold {
  until: number;
  by: Deferral;
}
type HoldRule = (t: number) => Hold | undefined;

/** Inside any blackout: wait until the last blackout covering `t` ends (blackouts win over windows). */
const blackoutRule =
  (blackouts: readonly Compiled[]): HoldRule =>
  (t) => {
    let hold: Hold | undefined;
    for (const c of blackouts) {
      const until = coveredUntil(c, t);
      if (until !== undefined && (hold === undefined || until > hold.until)) hold = { until, by: { kind: 'blackout', name: c.name } };
    }
    return hold;
  };

/** Windows defined and none open at `t`: wait for the next one to open. */
const windowRule =
  (windows: readonly Compiled[]): HoldRule =>
  (t) => {
    if (windows.length === 0 || windows.some((c) => coveredUntil(c, t) !== undefined)) return undefined;
    let hold: Hold = { until: Infinity, by: { kind: 'window', name: windows[0]?.name ?? 'windows' } };
    for (const c of windows) {
      const opening = openingAfter(c, t);
      if (opening !== undefined && opening < hold.until) hold = { until: opening, by: { kind: 'window', name: c.name } };
    }
    return hold;
  };

/**
 * The earliest instant ≥ `due` inside at least one window (when windows are given) and inside no
 * blackout, searching one year ahead; undefined when there is none. `deferredBy` names what the
 * result waited for last (its end or opening is `at`). Throws on a malformed window.
 */
export function earliestAllowed(
  due: Date,
  windows: readonly RecurringWindow[] | undefined,
  blackouts: readonly RecurringWindow[] | undefined,
): AllowedTime | undefined {
  const rules: readonly HoldRule[] = [blackoutRule(compileAll(blackouts, 'blackouts')), windowRule(compileAll(windows, 'windows'))];
  const limit = due.getTime() + SEARCH_HORIZON_MS;
  let t = due.getTime();
  let deferredBy: Deferral | undefined;
  // Every hold moves t strictly forward (to an end after t or an opening after t), so this ends.
  while (t <= limit) {
    const hold = firstHold(rules, t);
    if (!hold) return deferredBy ? { at: new Date(t), deferredBy } : { at: new Date(t) };
    t = hold.until;
    deferredBy = hold.by;
  }
  return undefined;
}

function firstHold(rules: readonly HoldRule[], t: number): Hold | undefined {
  for (const rule of rules) {
    const hold = rule(t);
    if (hold) return hold;
  }
  return undefined;
}
