// When a key's next rotation is due under its RotationPolicy, and when it may start once windows
// and blackouts have had their say. Pure: the caller passes the current time in.
import { CronExpressionParser } from 'cron-parser';
import type { RotationPolicySpec } from '../../api/v1alpha1/index.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { earliestAllowed, isValidTimeZone, type AllowedTime, type Deferral } from './windows.ts';

/** Reason: the policy's interval or cron schedule came round. */
export const REASON_SCHEDULED = 'Scheduled';
/** Reason: the exchange-imposed expiry, less renewBefore, came first. */
export const REASON_EXPIRING = 'Expiring';
export type RotationReason = typeof REASON_SCHEDULED | typeof REASON_EXPIRING;

/** renewBefore when the policy leaves it out (the CRD default). */
export const DEFAULT_RENEW_BEFORE = '7d';

/** What nextRotation needs: the policy, when the current key became current, its expiry, and now. */
export interface NextRotationInput {
  policy: RotationPolicySpec;
  /** When the current key version became current. */
  activatedAt: Date;
  /** Expiry the exchange imposes on the current key, if any. */
  expiresAt?: Date;
  now: Date;
}

/** The next rotation: when it is due, when it may start, why, and a sentence for status and Events. */
export interface NextRotation {
  /** When the policy wants it, before windows and blackouts. */
  dueAt: Date;
  /** When it may start (≥ dueAt, or in the past when overdue and nothing holds it back now). */
  at: Date;
  reason: RotationReason;
  deferredBy?: Deferral;
  message: string;
}

interface Due {
  dueAt: Date;
  reason: RotationReason;
  message: string;
}
type DueRule = (input: NextRotationInput) => Due | undefined;

const iso = (d: Date): string => d.toISOString();

const byInterval: DueRule = ({ policy, activatedAt }) => {
  if (policy.interval === undefined) return undefined;
  const dueAt = new Date(activatedAt.getTime() + parseDuration(policy.interval));
  return { dueAt, reason: REASON_SCHEDULED, message: `interval ${policy.interval} after the key became current at ${iso(activatedAt)}` };
};

const bySchedule: DueRule = ({ policy, activatedAt }) => {
  if (policy.schedule === undefined) return undefined;
  const { cron, timeZone = 'UTC' } = policy.schedule;
  const dueAt = cronOccurrenceAfter(cron, timeZone, activatedAt);
  return { dueAt, reason: REASON_SCHEDULED, message: `schedule "${cron}" (${timeZone}), first run after the key became current at ${iso(activatedAt)}` };
};

const byExpiry: DueRule = ({ policy, activatedAt, expiresAt }) => {
  if (expiresAt === undefined) return undefined;
  const renewBefore = policy.renewBefore ?? DEFAULT_RENEW_BEFORE;
  const renewAt = expiresAt.getTime() - parseDuration(renewBefore);
  const lifetime = expiresAt.getTime() - activatedAt.getTime();
  if (renewAt > activatedAt.getTime() || lifetime <= 0) {
    return { dueAt: new Date(renewAt), reason: REASON_EXPIRING, message: `key expires at ${iso(expiresAt)}, renewBefore ${renewBefore}` };
  }
  // renewBefore longer than the key lives would make every new key due at once, a rotation loop;
  // like cert-manager, renew at two thirds of the lifetime instead.
  const dueAt = new Date(activatedAt.getTime() + Math.floor((lifetime * 2) / 3));
  return {
    dueAt,
    reason: REASON_EXPIRING,
    message: `key expires at ${iso(expiresAt)}; renewBefore ${renewBefore} exceeds its ${formatDuration(lifetime)} lifetime, so at two thirds of it`,
  };
};

// Every rule is evaluated and the earliest due time wins; on a tie the earlier rule's reason stays.
const DUE_RULES: readonly DueRule[] = [byInterval, bySchedule, byExpiry];

/** The first occurrence of a five-field cron expression strictly after `after`, in `timeZone`; throws if either is bad. */
export function cronOccurrenceAfter(cron: string, timeZone: string, after: Date): Date {
  const [first] = cronOccurrences(cron, timeZone, after, 1);
  if (!first) throw new Error(`cron expression ${JSON.stringify(cron)} never fires`);
  return first;
}

/** The next `count` occurrences strictly after `after`; throws an Error saying what is wrong with the expression or zone. */
export function cronOccurrences(cron: string, timeZone: string, after: Date, count: number): Date[] {
  const problem = cronSyntaxProblem(cron) ?? (isValidTimeZone(timeZone) ? undefined : `unknown time zone ${JSON.stringify(timeZone)}`);
  if (problem) throw new Error(problem);
  try {
    return CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone }).take(count).map((d) => d.toDate());
  } catch (err) {
    throw new Error(`invalid cron expression ${JSON.stringify(cron)}: ${(err as Error).message}`, { cause: err });
  }
}

/** Why `cron` is not a deterministic five-field expression, or undefined when it is. */
export function cronSyntaxProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `expected five fields (minute hour day-of-month month day-of-week), got ${fields.length} in ${JSON.stringify(cron)}`;
  }
  // cron-parser's H picks a random value on every parse, so the due time would move on every reconcile.
  if (fields.some((field) => field.split(',').some((part) => /^H(?:$|[(/])/i.test(part)))) {
    return `"H" (random) is not supported in ${JSON.stringify(cron)}: rotation times must not change between evaluations`;
  }
  return undefined;
}

function earliestDue(input: NextRotationInput): Due | undefined {
  let best: Due | undefined;
  for (const rule of DUE_RULES) {
    const due = rule(input);
    if (due && (best === undefined || due.dueAt.getTime() < best.dueAt.getTime())) best = due;
  }
  return best;
}

/**
 * When a rotation may start, searching from dueAt. If that is already past and nothing holds the
 * rotation back now, the (stable) past answer stands; otherwise it waits from now. Stable answers
 * keep status from changing on every reconcile.
 */
function allowedStart(policy: RotationPolicySpec, dueAt: Date, now: Date): AllowedTime | undefined {
  const fromDue = earliestAllowed(dueAt, policy.windows, policy.blackouts);
  if (dueAt.getTime() >= now.getTime() || (fromDue && fromDue.at.getTime() >= now.getTime())) return fromDue;
  const fromNow = earliestAllowed(now, policy.windows, policy.blackouts);
  return fromDue && fromNow?.at.getTime() === now.getTime() ? fromDue : fromNow;
}

const deferralText = (d: Deferral): string => `${d.kind} "${d.name}"`;

/** Why waiting for the allowed start would let the key expire first, or undefined when it would not. */
function heldPastExpiry(allowed: AllowedTime | undefined, expiresAt: Date | undefined): string | undefined {
  if (!expiresAt) return undefined;
  const expiry = `the key expires at ${iso(expiresAt)}`;
  if (!allowed) return `no start is allowed within a year by the windows and blackouts, and ${expiry}`;
  if (!allowed.deferredBy || allowed.at.getTime() < expiresAt.getTime()) return undefined;
  return `${deferralText(allowed.deferredBy)} would hold it until ${iso(allowed.at)}, but ${expiry}`;
}

/**
 * The next rotation of a key under `policy`, or undefined when nothing schedules one or no start is
 * allowed within a year (and no expiry forces one). Throws on a policy that policyProblems rejects.
 */
export function nextRotation(input: NextRotationInput): NextRotation | undefined {
  const due = earliestDue(input);
  if (!due) return undefined;
  const { dueAt, reason } = due;
  const head = `${reason} rotation due ${iso(dueAt)} (${due.message})`;
  const allowed = allowedStart(input.policy, dueAt, input.now);
  const held = heldPastExpiry(allowed, input.expiresAt);
  if (held !== undefined) {
    // A key must not expire while a blackout (or a closed window) holds its rotation back.
    return { dueAt, at: dueAt, reason, message: `${head}; starting at the due time anyway: ${held}` };
  }
  if (!allowed) return undefined;
  const { at, deferredBy } = allowed;
  if (!deferredBy) return { dueAt, at, reason, message: head };
  return { dueAt, at, reason, deferredBy, message: `${head}; deferred to ${iso(at)} by ${deferralText(deferredBy)}` };
}

/** True when a rotation is known and its start time has come. */
export function isDue(next: NextRotation | undefined, now: Date): boolean {
  return next !== undefined && now.getTime() >= next.at.getTime();
}
