// Rollout bookkeeping for status.rotation.dependents (pure): what each dependent's state is now,
// given what was observed and how long it has been rolling.
import type { RotationStatus } from '../../api/v1alpha1/index.ts';
import { parseDuration } from '../rotation/duration.ts';
import type { EventSpec } from './deps.ts';
import type { DependentObservation, Observed } from './observed.ts';
import { EVENT_ROLLOUT_FAILED } from './reasons.ts';

export type DependentStatus = NonNullable<RotationStatus['dependents']>[number];

/** Default time a dependent may take to roll when no policy says otherwise. */
export const DEFAULT_PROGRESS_DEADLINE_MS = 10 * 60_000;
/** Default overlap when no policy says otherwise. */
export const DEFAULT_OVERLAP_MS = 10 * 60_000;
/** Default rollouts in flight per throttle scope. */
export const DEFAULT_MAX_CONCURRENT = 1;

/** Progress deadline from the policy (or the default). */
export function progressDeadlineMs(o: Observed): number {
  const text = o.policy.kind === 'found' ? o.policy.spec.rollout?.progressDeadline : undefined;
  return text ? safeDuration(text, DEFAULT_PROGRESS_DEADLINE_MS) : DEFAULT_PROGRESS_DEADLINE_MS;
}

/** Overlap window from the policy (or the default). */
export function overlapMs(o: Observed): number {
  const text = o.policy.kind === 'found' ? o.policy.spec.overlap : undefined;
  return text ? safeDuration(text, DEFAULT_OVERLAP_MS) : DEFAULT_OVERLAP_MS;
}

/** Rollouts allowed in flight at once for this key's throttle scope. */
export function maxConcurrent(o: Observed): number {
  return (o.policy.kind === 'found' ? o.policy.spec.rollout?.maxConcurrent : undefined) ?? DEFAULT_MAX_CONCURRENT;
}

function safeDuration(text: string, fallback: number): number {
  try {
    return parseDuration(text);
  } catch {
    return fallback;
  }
}

const refOf = (d: { kind: string; name: string }): string => `${d.kind}/${d.name}`;

/**
 * Folds observations into the recorded dependents: completed rollouts become Rolled, rollouts
 * past the deadline Failed (reported once), new workloads Pending, vanished ones dropped.
 */
export function updateDependents(
  recorded: readonly DependentStatus[],
  observed: readonly DependentObservation[],
  deadlineMs: number,
  now: Date,
): { dependents: DependentStatus[]; events: EventSpec[] } {
  const byRef = new Map(recorded.map((d) => [refOf(d), d]));
  const events: EventSpec[] = [];
  const dependents = observed.map((seen): DependentStatus => {
    const before = byRef.get(refOf(seen));
    const next = nextState(before, seen, deadlineMs, now);
    if (next.state === 'Failed' && before?.state !== 'Failed') {
      events.push({ type: 'Warning', reason: EVENT_ROLLOUT_FAILED, message: `${refOf(seen)} did not finish rolling within the progress deadline: ${seen.message}; both keys stay valid` });
    }
    return next;
  });
  return { dependents: dependents.sort((a, b) => refOf(a).localeCompare(refOf(b))), events };
}

function nextState(before: DependentStatus | undefined, seen: DependentObservation, deadlineMs: number, now: Date): DependentStatus {
  const base = { kind: seen.kind, name: seen.name };
  if (seen.rollout === 'complete') return { ...base, state: 'Rolled', ...(before?.startedAt ? { startedAt: before.startedAt } : {}) };
  if (!before || before.state === 'Pending' || before.state === 'Rolled' || !before.startedAt) {
    return { ...base, state: 'Pending', message: 'waiting for a rollout slot' };
  }
  const late = now.getTime() - new Date(before.startedAt).getTime() > deadlineMs;
  // Live progress ("2 of 3 replicas updated") changes with every pod and would rewrite status
  // each time; only a stuck rollout needs its details recorded.
  if (late) return { ...base, state: 'Failed', startedAt: before.startedAt, message: seen.message };
  return { ...base, state: 'Rolling', startedAt: before.startedAt };
}

/** True when every recorded dependent has rolled (vacuously true without dependents). */
export function allRolled(dependents: readonly DependentStatus[] | undefined): boolean {
  return (dependents ?? []).every((d) => d.state === 'Rolled');
}

/** Dependents holding a rollout slot (in flight or stuck). */
export function slotsHeld(dependents: readonly DependentStatus[] | undefined): number {
  return (dependents ?? []).filter((d) => d.state === 'Rolling' || d.state === 'Failed').length;
}

/** One line for the Rotating condition while dependents roll. */
export function rolloutSummary(dependents: readonly DependentStatus[] | undefined): string {
  const list = dependents ?? [];
  const rolled = list.filter((d) => d.state === 'Rolled').length;
  const failed = list.filter((d) => d.state === 'Failed').map(refOf);
  return `${rolled} of ${list.length} dependents rolled${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}`;
}
