// Durations as the CRDs spell them (`30d`, `1h30m`, `90s`): the same grammar as the schema's
// pattern, so a value the API server accepted always parses here. Written by hand because the
// libraries at hand read ISO 8601 (`P30D`) or Go's syntax (no `d`), not this one.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// A day is 24 elapsed hours, not a calendar day: an interval of 30d is the same length whatever
// the DST transitions in between (calendar-aware timing belongs in a cron schedule).
const DAY = 24 * HOUR;

const UNITS: Readonly<Record<string, number>> = { d: DAY, h: HOUR, m: MINUTE, s: SECOND };
const WHOLE = /^(?:[0-9]+[dhms])+$/;
const PART = /([0-9]+)([dhms])/g;

/** Milliseconds in a CRD duration such as `30d` or `1h30m`; throws an Error naming the bad text. */
export function parseDuration(text: string): number {
  if (!WHOLE.test(text)) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: expected numbers with units d, h, m or s, such as 30d, 1h30m or 90s`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * (UNITS[unit ?? ''] ?? 0);
  }
  if (!Number.isSafeInteger(total)) throw new Error(`invalid duration ${JSON.stringify(text)}: too long`);
  return total;
}

/** A duration in the CRD grammar for messages (`1d2h`, `0s`); sub-second rests show as `ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', SECOND], ['ms', 1]] as const) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0) text += `${amount}${unit}`;
  }
  return text === '' ? '0s' : text;
}
