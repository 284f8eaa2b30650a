// Drift: what a periodic re-validation of the current key found, what the RotationPolicy says to
// do about it, and when the next re-validation is due. Pure. The finding is recorded in
// status.drift so that Degraded survives later reconciles (Report) and a policy change to Rotate
// still acts on it; it is cleared by a clean re-validation or once a rotation replaced the key.
import type { ExchangeKeyStatus, KeyVersionStatus } from '../../api/v1alpha1/index.ts';
import { parseDuration } from '../rotation/duration.ts';
import { keyInfoFindings } from './check.ts';
import { canProbe, venueName } from './manual.ts';
import type { EventSpec } from './deps.ts';
import type { Observed, Revalidation } from './observed.ts';
import { EVENT_DRIFT_DETECTED, EVENT_DRIFT_RESOLVED } from './reasons.ts';

/** A recorded drift finding (status.drift). */
export type DriftStatus = NonNullable<ExchangeKeyStatus['drift']>;
export type DriftKind = DriftStatus['kind'];
export type DriftAction = NonNullable<DriftStatus['action']>;

/** revalidateInterval when no valid policy says otherwise (the CRD default). */
export const DEFAULT_REVALIDATE_INTERVAL = '1h';

const ACTION_TEXT: Readonly<Record<DriftAction, string>> = {
  Revoke: 'action Revoke: a new key is issued and this one revoked as soon as it is published, without waiting for rollouts or the overlap',
  Rotate: 'action Rotate: a new key is issued and rolled out, and this one revoked after the overlap',
  Report: 'action Report: exkey changes nothing and re-checks every revalidateInterval; fix the key at the exchange or rotate it',
  Reissue: 'a new key is issued at once; there is nothing to overlap with',
};

/** A sentence for Events and conditions: what was found and what exkey does about it. */
export function driftText(drift: DriftStatus): string {
  return `${drift.message}; ${ACTION_TEXT[drift.action ?? 'Report']}`;
}

/** How often the current key is re-validated (the default without a usable policy value). */
export function revalidateIntervalMs(o: Observed): number {
  const text = o.policy.kind === 'found' ? o.policy.spec.revalidateInterval : undefined;
  try {
    const ms = parseDuration(text ?? DEFAULT_REVALIDATE_INTERVAL);
    if (ms > 0) return ms;
  } catch {
    // An invalid policy is reported by its own condition; re-validation keeps the default.
  }
  return parseDuration(DEFAULT_REVALIDATE_INTERVAL);
}

/** When the current key version is next due for re-validation; undefined while rotating or with nothing to check. */
export function revalidationDueAt(o: Observed): Date | undefined {
  const status = o.key.status;
  // A manual venue with no read-only call has nothing to re-validate with.
  if (!o.exchangeKnown || !canProbe(o.key) || status?.rotation || !status?.currentVersion) return undefined;
  const current = status.keys?.find((k) => k.version === status.currentVersion && k.state === 'Active');
  if (!current) return undefined;
  const last = Date.parse(current.validatedAt ?? current.createdAt ?? '');
  return new Date((Number.isNaN(last) ? 0 : last) + revalidateIntervalMs(o));
}

/** What the policy says to do about a finding of this kind (defaults without a policy). */
export function driftAction(o: Observed, kind: DriftKind): DriftAction {
  if (kind === 'KeyRejected') return 'Reissue';
  const settings = o.policy.kind === 'found' ? o.policy.spec.drift : undefined;
  return kind === 'WithdrawEnabled' ? settings?.onWithdrawEnabled ?? 'Revoke' : settings?.onMismatch ?? 'Rotate';
}

function findingOf(o: Observed, r: Revalidation): { kind: DriftKind; message: string } | undefined {
  const head = `key version ${r.version} at ${venueName(o.key)}`;
  if ('rejected' in r) return { kind: 'KeyRejected', message: `${head} is no longer accepted (revoked or expired outside exkey): ${r.rejected}` };
  const problems = keyInfoFindings(o.key, r.info);
  const first = problems[0];
  if (!first) return undefined;
  // Findings come most severe first; the kind of the worst one decides the action.
  return { kind: first.kind, message: `${head}: ${problems.map((p) => p.message).join('; ')}` };
}

/** The unresolved drift on the current key: this reconcile's re-validation first, else the recorded finding. */
export function currentDrift(o: Observed): DriftStatus | undefined {
  const status = o.key.status;
  const r = o.revalidation;
  if (r && r.version === status?.currentVersion) return freshDrift(o, r);
  const recorded = status?.drift;
  return recorded && recorded.version === status.currentVersion ? { ...recorded, action: driftAction(o, recorded.kind) } : undefined;
}

// A finding repeated at the next re-validation keeps its first detection time.
function freshDrift(o: Observed, r: Revalidation): DriftStatus | undefined {
  const finding = findingOf(o, r);
  if (!finding) return undefined;
  const recorded = o.key.status?.drift;
  const drift: DriftStatus = { version: r.version, ...finding, action: driftAction(o, finding.kind), detectedAt: r.at };
  return recorded && !isNewFinding(recorded, drift) ? { ...drift, detectedAt: recorded.detectedAt } : drift;
}

/** True when `after` is a finding `before` did not already record (an Event and a metric are due). */
export function isNewFinding(before: DriftStatus | undefined, after: DriftStatus | undefined): boolean {
  return after !== undefined && (before?.version !== after.version || before.kind !== after.kind || before.message !== after.message);
}

/** The status fields drift owns once this reconcile's observations are folded in. */
export interface DriftFields {
  keys: KeyVersionStatus[];
  drift: DriftStatus | undefined;
  events: EventSpec[];
}

/**
 * Folds a re-validation into the key list (validatedAt, a newly reported expiry) and decides the
 * drift record. `keys`, `currentVersion` and `rotation` are the fields after this reconcile's
 * rotation transition; a finding about a version no rotation still carries is dropped.
 */
export function driftFields(o: Observed, f: { keys: KeyVersionStatus[]; currentVersion: number; rotation?: { previousVersion?: number } | undefined }): DriftFields {
  const r = o.revalidation;
  const keys = r && 'info' in r ? f.keys.map((k) => (k.version === r.version ? revalidated(k, r.at, r.info.expiresAt) : k)) : f.keys;
  const recorded = o.key.status?.drift;
  const drift = r ? currentDrift(o) : carried(o, f);
  const events: EventSpec[] = [];
  if (drift && isNewFinding(recorded, drift)) events.push({ type: 'Warning', reason: EVENT_DRIFT_DETECTED, message: driftText(drift) });
  if (!drift && r && recorded?.version === r.version) {
    events.push({ type: 'Normal', reason: EVENT_DRIFT_RESOLVED, message: `key version ${r.version} at ${o.key.spec.exchange} matches the spec again` });
  }
  return { keys, drift, events };
}

function carried(o: Observed, f: { currentVersion: number; rotation?: { previousVersion?: number } | undefined }): DriftStatus | undefined {
  const recorded = o.key.status?.drift;
  if (!recorded) return undefined;
  const held = recorded.version === f.currentVersion || recorded.version === f.rotation?.previousVersion;
  return held ? { ...recorded, action: driftAction(o, recorded.kind) } : undefined;
}

function revalidated(k: KeyVersionStatus, at: string, expiresAt: Date | undefined): KeyVersionStatus {
  // A venue that stops reporting an expiry keeps the recorded one: rotating early is the safe side.
  return { ...k, validatedAt: at, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) };
}
