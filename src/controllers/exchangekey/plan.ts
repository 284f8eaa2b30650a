// plan(observed, now): the single next step for one ExchangeKey. Pure: no I/O, no clock reads,
// no secret material. The reconciler executes the step, folds its outcome into Observed and asks
// again, until the plan says Done. Status is always written before any step that depends on it.
import type { ExchangeKeyStatus, RotationStatus } from '../../api/v1alpha1/index.ts';
import { revalidateIntervalMs, revalidationDueAt } from './drift.ts';
import { currentFailure } from './failures.ts';
import type { Failure, Observed } from './observed.ts';
import { isManual, manualPollMs } from './manual.ts';
import { EVENT_RETAINED, EVENT_REVOKED, REASON_REVOKE_BLOCKED } from './reasons.ts';
import { hasFinalizer, isDeleting } from './spec.ts';
import { desiredStatus } from './status.ts';
import type { EventSpec } from './deps.ts';
import type { WorkloadRef, WorkloadKind } from '../dependents/workloads.ts';

/** One step of the ExchangeKey lifecycle. */
export type Step =
  | { kind: 'WriteStatus'; status: ExchangeKeyStatus; events: EventSpec[] }
  | { kind: 'AddFinalizer' }
  | { kind: 'RemoveFinalizer'; event?: EventSpec }
  | { kind: 'LoadMaster' }
  | { kind: 'LoadPending' }
  | { kind: 'SweepOrphans' }
  | { kind: 'Register'; version: number }
  | { kind: 'Validate'; version: number }
  | { kind: 'RevokePending' }
  | { kind: 'DeletePending' }
  | { kind: 'Publish'; version: number }
  | { kind: 'RevokeAll' }
  | { kind: 'LoadDependents' }
  | { kind: 'StartRollouts'; refs: DependentRef[] }
  | { kind: 'RollWorkloads'; refs: DependentRef[] }
  | { kind: 'RevokeOld' }
  | { kind: 'DropPrevious' }
  | { kind: 'VerifyPublished' }
  | { kind: 'Revalidate'; version: number }
  /** Manual venues: take a new key from the handoff Secret into the pending Secret. */
  | { kind: 'TakeHandoff'; version: number }
  /** Manual venues: ask the venue whether the old key versions a human was asked to delete still work. */
  | { kind: 'ProbeOld' }
  /** Manual venues, deletion: the same for every live key version. */
  | { kind: 'ProbeAll' }
  | { kind: 'Done'; failure?: Failure; requeueAfterMs?: number };

/** A dependent workload by kind and name. */
export type DependentRef = WorkloadRef;

/** How often a rollout in progress is re-checked if no workload event arrives first. */
export const ROLLOUT_POLL_MS = 5_000;
/** Longest single timer; a later due time is re-armed on the next reconcile. */
const MAX_TIMER_MS = 24 * 3600_000;

const DONE: Step = { kind: 'Done' };

/** Decides the next step (pure). */
export function plan(o: Observed, now: Date): Step {
  if (isDeleting(o.key)) return planDeletion(o, now);
  if (!hasFinalizer(o.key)) return { kind: 'AddFinalizer' };
  // Before judging readiness: a Secret changed by someone else must be checked first, or status
  // would flip between "fine" and "tampered" on every reconcile.
  if (changedBySomeoneElse(o)) return { kind: 'VerifyPublished' };
  const decision = desiredStatus(o, now);
  if (!sameStatus(decision.status, o.key.status)) {
    return { kind: 'WriteStatus', status: decision.status, events: decision.events };
  }
  const failure = currentFailure(o);
  if (failure) return { kind: 'Done', failure };
  return planProgress(o, now);
}

type PhasePlanner = (o: Observed, rotation: RotationStatus, now: Date) => Step;

/** The next step within each rotation phase. */
const PHASES: Record<RotationStatus['phase'], PhasePlanner> = {
  Registering: (o, r) => planRegistering(o, r.version),
  Publishing: (o, r) => (o.pending && o.pending.version === r.version ? { kind: 'Publish', version: r.version } : DONE),
  RollingOut: (o) => planRollingOut(o),
  Overlap: (_o, r, now) => ({ kind: 'Done', ...requeueAt(r.overlapEndsAt, now) }),
  Revoking: (o) => planRevoking(o),
};

function planProgress(o: Observed, now: Date): Step {
  const rotation = o.key.status?.rotation;
  const needsPending = rotation?.phase === 'Registering' || rotation?.phase === 'Publishing';
  const housekeeping = planHousekeeping(o, needsPending);
  if (housekeeping) return housekeeping;
  if (!rotation) return planIdle(o, now);
  if (needsPending && o.pending === undefined) return { kind: 'LoadPending' };
  return PHASES[rotation.phase](o, rotation, now);
}

/** No rotation in progress: re-validate the current key when due, else sleep until the next due time. */
function planIdle(o: Observed, now: Date): Step {
  const current = o.key.status?.currentVersion ?? 0;
  const due = revalidationDueAt(o);
  const published = o.published.kind === 'present' && o.published.version === current;
  if (due && published && !o.revalidation && now.getTime() >= due.getTime()) return { kind: 'Revalidate', version: current };
  // Once this reconcile re-validated, the next check is an interval away whatever status says.
  const nextCheck = due && o.revalidation ? new Date(Math.max(due.getTime(), now.getTime() + revalidateIntervalMs(o))) : due;
  return { kind: 'Done', ...requeueAt(earliest(o.key.status?.nextRotationTime, nextCheck?.toISOString()), now) };
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

function planHousekeeping(o: Observed, needsPending: boolean): Step | undefined {
  // Outside Registering/Publishing a pending Secret is a leftover (gather sees it in the cache);
  // inside them its content decides the step, so it is read fresh.
  if (!needsPending && (o.pending || o.pendingLeftover)) return { kind: 'DeletePending' };
  // After a resumed attempt, a create whose answer was lost can land at the exchange after the
  // resume sweep; one more sweep once the version is published catches it. A clean first
  // attempt has nothing to sweep and skips it (a sweep lists the account's keys).
  if (o.finalSweepDue) return o.master ? { kind: 'SweepOrphans' } : { kind: 'LoadMaster' };
  return undefined;
}

/** An encrypted published Secret whose resourceVersion is not the one exkey wrote or verified. */
function changedBySomeoneElse(o: Observed): boolean {
  const p = o.published;
  return p.kind === 'present' && p.encrypted === true && !o.publishedVerified && p.resourceVersion !== o.key.status?.secretResourceVersion;
}

function planRollingOut(o: Observed): Step {
  if (!o.dependents) return { kind: 'LoadDependents' };
  const recorded = o.key.status?.rotation?.dependents ?? [];
  const seen = new Map(o.dependents.map((d) => [`${d.kind}/${d.name}`, d]));
  // Rolling in status but the template never got the version: the operator stopped between
  // recording the rollout and patching the workload.
  const unpatched = recorded.filter((d) => d.state === 'Rolling' && seen.get(`${d.kind}/${d.name}`)?.rollout === 'not-started');
  if (unpatched.length > 0) return { kind: 'RollWorkloads', refs: unpatched.map(refOf) };
  const pending = recorded.filter((d) => d.state === 'Pending');
  if (pending.length > 0 && o.rolloutSlots > 0) return { kind: 'StartRollouts', refs: pending.slice(0, o.rolloutSlots).map(refOf) };
  return { kind: 'Done', requeueAfterMs: ROLLOUT_POLL_MS };
}

function planRevoking(o: Observed): Step {
  if (isManual(o.key)) {
    // A human deletes the old key; exkey probes it until the venue refuses it.
    if (o.stillLive) return { kind: 'Done', requeueAfterMs: manualPollMs(o.key) };
    if (!o.oldRevoked) return { kind: 'ProbeOld' };
  } else {
    if (!o.master) return { kind: 'LoadMaster' };
    if (!o.oldRevoked) return { kind: 'RevokeOld' };
  }
  if (o.published.kind === 'present' && o.published.hasPrevious) return { kind: 'DropPrevious' };
  return DONE;
}

// Status stores the kind as a string; the CRD only admits workload kinds into spec.dependents.
const refOf = (d: { kind: string; name: string }): DependentRef => ({ kind: d.kind as WorkloadKind, name: d.name });

/** A timer for `at` (ISO), capped; no timer without a time. */
function requeueAt(at: string | undefined, now: Date): { requeueAfterMs?: number } {
  if (!at) return {};
  return { requeueAfterMs: Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(at) - now.getTime())) };
}

function planRegistering(o: Observed, version: number): Step {
  const pending = o.pending;
  if (pending && pending.version === version) {
    if (!o.validation) return { kind: 'Validate', version };
    return planRejected(o);
  }
  if (isManual(o.key)) return planAwaitingHuman(o, version);
  if (!o.master) return { kind: 'LoadMaster' };
  if (pending) {
    // A pending key from an earlier attempt: the sweep revokes it at the exchange first.
    return o.swept ? { kind: 'DeletePending' } : { kind: 'SweepOrphans' };
  }
  if (!o.swept && !o.registeringStartedHere) return { kind: 'SweepOrphans' };
  return { kind: 'Register', version };
}

/** Manual venues: no key to create; take the human's from the handoff Secret, or look again later. */
function planAwaitingHuman(o: Observed, version: number): Step {
  // A pending key of another version is a leftover: nobody else holds it, and it was never published.
  if (o.pending) return { kind: 'DeletePending' };
  if (!o.handoffEmpty) return { kind: 'TakeHandoff', version };
  return { kind: 'Done', requeueAfterMs: manualPollMs(o.key) };
}

/** The pending key failed validation: revoke it at the exchange (a human must, at a manual venue), then drop its Secret. */
function planRejected(o: Observed): Step {
  if (isManual(o.key)) return { kind: 'DeletePending' };
  if (!o.pendingRevoked) return o.master ? { kind: 'RevokePending' } : { kind: 'LoadMaster' };
  return { kind: 'DeletePending' };
}

function planDeletion(o: Observed, now: Date): Step {
  if (!hasFinalizer(o.key)) return DONE;
  const policy = o.key.spec.deletionPolicy ?? 'Revoke';
  if (policy === 'Retain') {
    const message = 'deletionPolicy is Retain: key versions were left in place at the exchange';
    return { kind: 'RemoveFinalizer', event: { type: 'Normal', reason: EVENT_RETAINED, message } };
  }
  if (!mayHoldKeys(o)) return { kind: 'RemoveFinalizer' };
  const blocked = deletionBlocker(o);
  if (blocked) return reportBlocked(o, blocked, now);
  if (isManual(o.key)) return planManualDeletion(o, now);
  if (!o.master) return { kind: 'LoadMaster' };
  if (o.pending === undefined) return { kind: 'LoadPending' };
  if (!o.revokedAll) return { kind: 'RevokeAll' };
  return { kind: 'RemoveFinalizer' };
}

/** Manual venues: ask a human to delete every live key, and release the object once the venue refuses them all. */
function planManualDeletion(o: Observed, now: Date): Step {
  const decision = desiredStatus(o, now);
  if (!sameStatus(decision.status, o.key.status)) return { kind: 'WriteStatus', status: decision.status, events: decision.events };
  if (o.pending === undefined) return { kind: 'LoadPending' };
  if (o.stillLive) return { kind: 'Done', requeueAfterMs: manualPollMs(o.key) };
  if (!o.revokedAll) return { kind: 'ProbeAll' };
  const message = `the venue refuses every key version of this ExchangeKey (${o.revokedAll.count} deleted by a human)`;
  return { kind: 'RemoveFinalizer', event: { type: 'Normal', reason: EVENT_REVOKED, message } };
}

/** True when exkey may have created keys for this object at the exchange. */
function mayHoldKeys(o: Observed): boolean {
  const status = o.key.status;
  const live = status?.keys?.some((k) => k.state !== 'Revoked') ?? false;
  return live || status?.rotation !== undefined || Boolean(o.pending);
}

function deletionBlocker(o: Observed): Failure | undefined {
  if (!o.exchangeKnown) {
    return {
      reason: REASON_REVOKE_BLOCKED,
      message: `cannot revoke keys: exchange "${o.key.spec.exchange}" is unknown to this exkey; set spec.deletionPolicy: Retain to delete without revoking`,
      retryable: false,
    };
  }
  if (o.master?.kind === 'missing') {
    return {
      reason: REASON_REVOKE_BLOCKED,
      message: `cannot revoke keys: ${o.master.failure.message}; restore it, or set spec.deletionPolicy: Retain to delete without revoking`,
      retryable: true,
    };
  }
  return o.failure;
}

function reportBlocked(o: Observed, failure: Failure, now: Date): Step {
  const decision = desiredStatus(o, now, failure);
  if (!sameStatus(decision.status, o.key.status)) return { kind: 'WriteStatus', status: decision.status, events: [] };
  return { kind: 'Done', failure };
}

/** Structural equality of two statuses, independent of key order. */
export function sameStatus(a: ExchangeKeyStatus | undefined, b: ExchangeKeyStatus | undefined): boolean {
  return stableJson(a ?? {}) === stableJson(b ?? {});
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)));
  });
}
