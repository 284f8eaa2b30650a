// desiredStatus: what ExchangeKey.status should say given what the controller observed. Pure.
// Rotation phases move in transitions.ts; this module adds the bookkeeping fields and conditions.
import type { ExchangeKeyStatus, KeyVersionStatus, ManualStatus, RotationStatus } from '../../api/v1alpha1/index.ts';
import { removeCondition, setCondition, type Condition, type ConditionUpdate } from '../../runtime/conditions.ts';
import { cachedPolicyProblems as policyProblems } from '../rotation/policy-check.ts';
import type { EventSpec } from './deps.ts';
import { driftFields, driftText, type DriftStatus } from './drift.ts';
import { currentFailure } from './failures.ts';
import { awaitingText, canProbe, manualFields, venueName } from './manual.ts';
import type { Failure, Observed } from './observed.ts';
import {
  CONDITION_DEGRADED, CONDITION_READY, CONDITION_ROTATING, REASON_DRIFT_DETECTED, REASON_AWAITING_HUMAN, REASON_ISSUED, REASON_ISSUING,
  REASON_KEY_REVOKED_EXTERNALLY, REASON_POLICY_INVALID, REASON_POLICY_NOT_FOUND, REASON_ROLLOUT_FAILED, REASON_SECRET_TAMPERED,
  ROTATION_INITIAL,
} from './reasons.ts';
import { rolloutSummary } from './rollout-state.ts';
import { secretNameOf } from './spec.ts';
import { recordedFields, transition, type RotationFields } from './transitions.ts';
import { scheduledRotation } from './triggers.ts';

export type { EventSpec } from './deps.ts';

/** The status to write and the Events that announce the transition. */
export interface StatusDecision {
  status: ExchangeKeyStatus;
  events: EventSpec[];
}

/** Computes the status the object should have now (pure); `failure` overrides the policy chain. */
export function desiredStatus(o: Observed, now: Date, failure: Failure | undefined = currentFailure(o)): StatusDecision {
  const generation = o.key.metadata.generation;
  const recorded = recordedFields(o);
  const frozen = Boolean(o.key.metadata.deletionTimestamp || failure);
  const moved = frozen ? recorded : transition(o, recorded, now);
  // A failed step keeps the recorded finding as it is; otherwise re-validation is folded in.
  const drift = frozen ? { keys: moved.keys, drift: o.key.status?.drift, events: [] } : driftFields(o, moved);
  const manual = manualFields(o, moved, now);
  const fields: RotationFields = { ...moved, keys: drift.keys, events: [...drift.events, ...moved.events, ...manual.events] };
  const status: ExchangeKeyStatus = {
    ...(o.key.status ?? {}),
    observedGeneration: generation,
    secretName: secretNameOf(o.key),
    currentVersion: fields.currentVersion,
    keys: fields.keys,
  };
  assign(status, fields, drift.drift, manual.manual);
  // Remember the Secret as exkey last wrote or verified it: another resourceVersion means
  // someone else changed it, and its envelopes get checked once.
  if (o.published.kind === 'present' && o.publishedVerified && o.published.resourceVersion) {
    status.secretResourceVersion = o.published.resourceVersion;
  }
  const next = fields.rotation ? undefined : scheduledRotation({ ...o, key: { ...o.key, status } }, now);
  if (next) status.nextRotationTime = next.at.toISOString();
  else delete status.nextRotationTime;
  status.conditions = conditionsFor(o, status, failure, now);
  return { status, events: fields.events };
}

// Optional fields: present with a value, or absent (never undefined, so equality stays structural).
function assign(status: ExchangeKeyStatus, f: RotationFields, drift: DriftStatus | undefined, manual: ManualStatus | undefined): void {
  const optional = {
    rotation: f.rotation,
    drift,
    manual,
    lastRotationTime: f.lastRotationTime,
    issuedSpecHash: f.issuedSpecHash,
    lastRotateToken: f.lastRotateToken,
    lastRevokeToken: f.lastRevokeToken,
  };
  for (const [field, value] of Object.entries(optional)) {
    if (value === undefined) Reflect.deleteProperty(status, field);
    else Reflect.set(status, field, value);
  }
}

function conditionsFor(o: Observed, status: ExchangeKeyStatus, failure: Failure | undefined, now: Date): Condition[] {
  const generation = o.key.metadata.generation;
  const current = currentKey(o, status);
  let conditions = setCondition(status.conditions, readyUpdate(o, status, current, failure), now, generation);
  conditions = rotatingCondition(conditions, status, now, generation);
  const degraded = degradedUpdate(o, status, current, failure);
  if (!degraded) return removeCondition(conditions, CONDITION_DEGRADED);
  return setCondition(conditions, degraded, now, generation);
}

/** The Active key version, if the published Secret holds it and the exchange has not refused it since. */
function currentKey(o: Observed, status: ExchangeKeyStatus): KeyVersionStatus | undefined {
  const current = status.keys?.find((k) => k.version === status.currentVersion && k.state === 'Active');
  const published = o.published.kind === 'present' && o.published.version === status.currentVersion;
  return published && !rejected(status, current?.version) ? current : undefined;
}

function rejected(status: ExchangeKeyStatus, version: number | undefined): boolean {
  return status.drift?.kind === 'KeyRejected' && status.drift.version === version;
}

function readyUpdate(o: Observed, status: ExchangeKeyStatus, current: KeyVersionStatus | undefined, failure: Failure | undefined): ConditionUpdate {
  if (current) return { type: CONDITION_READY, status: 'True', reason: REASON_ISSUED, message: readyMessage(o, status, current) };
  const notReady = (reason: string, message: string): ConditionUpdate => ({ type: CONDITION_READY, status: 'False', reason, message });
  if (failure) return notReady(failure.reason, failure.message);
  if (o.published.kind === 'tampered') return notReady(REASON_SECRET_TAMPERED, o.published.message);
  if (status.drift && rejected(status, status.currentVersion)) return notReady(REASON_KEY_REVOKED_EXTERNALLY, driftText(status.drift));
  const awaiting = awaitingText(status.manual);
  if (awaiting) return notReady(REASON_AWAITING_HUMAN, awaiting);
  return notReady(REASON_ISSUING, `Issuing key version ${status.rotation?.version ?? 1}`);
}

function readyMessage(o: Observed, status: ExchangeKeyStatus, current: KeyVersionStatus): string {
  const holds = `Secret ${status.secretName ?? ''} holds key version ${current.version}`;
  if (!canProbe(o.key)) return `${holds}, put there by a human (venue ${venueName(o.key)} has no read-only call: not validated)`;
  return `${holds}, accepted by ${venueName(o.key)} at ${current.validatedAt ?? 'unknown'}`;
}

type DegradedPolicy = (o: Observed, status: ExchangeKeyStatus, current: KeyVersionStatus | undefined) => { reason: string; message: string } | undefined;

// Without a working current key the finding is Ready's to report (KeyRevokedExternally).
const drifted: DegradedPolicy = (_o, status, current) =>
  status.drift && current ? { reason: REASON_DRIFT_DETECTED, message: driftText(status.drift) } : undefined;

const rolloutStuck: DegradedPolicy = (_o, { rotation }) => {
  const failed = (rotation?.dependents ?? []).filter((d) => d.state === 'Failed');
  if (failed.length === 0) return undefined;
  const list = failed.map((d) => `${d.kind}/${d.name}: ${d.message ?? 'not rolled'}`).join('; ');
  return { reason: REASON_ROLLOUT_FAILED, message: `rollout of key version ${rotation?.version ?? '?'} is stuck (both keys stay valid, the old one is not revoked): ${list}` };
};

const policyMissing: DegradedPolicy = ({ policy }) =>
  policy.kind === 'missing' ? { reason: REASON_POLICY_NOT_FOUND, message: `RotationPolicy "${policy.name}" not found; the key is not rotated on a schedule` } : undefined;

const policyInvalid: DegradedPolicy = ({ policy }) => {
  const problems = policy.kind === 'found' ? policyProblems(policy.spec) : [];
  return policy.kind === 'found' && problems.length > 0 ? { reason: REASON_POLICY_INVALID, message: `RotationPolicy "${policy.name}": ${problems.join('; ')}` } : undefined;
};

// A key whose permissions drifted is more urgent than a stuck rollout or a policy typo.
const DEGRADED_POLICIES: readonly DegradedPolicy[] = [drifted, rolloutStuck, policyMissing, policyInvalid];

/** Degraded: the key works (Ready) but something needs attention. First hit wins; a step failure comes first. */
function degradedUpdate(o: Observed, status: ExchangeKeyStatus, current: KeyVersionStatus | undefined, failure: Failure | undefined): ConditionUpdate | undefined {
  if (failure) return current ? { type: CONDITION_DEGRADED, status: 'True', reason: failure.reason, message: failure.message } : undefined;
  const found = DEGRADED_POLICIES.reduce<ReturnType<DegradedPolicy>>((hit, policy) => hit ?? policy(o, status, current), undefined);
  return found ? { type: CONDITION_DEGRADED, status: 'True', reason: found.reason, message: found.message } : undefined;
}

function rotatingCondition(conditions: Condition[], { rotation, manual }: ExchangeKeyStatus, now: Date, generation: number | undefined): Condition[] {
  if (!rotation) return removeCondition(conditions, CONDITION_ROTATING);
  const awaiting = awaitingText(manual);
  const message = awaiting ? `${rotatingMessage(rotation)}; ${awaiting}` : rotatingMessage(rotation);
  const update = { type: CONDITION_ROTATING, status: 'True' as const, reason: rotation.reason ?? ROTATION_INITIAL, message };
  return setCondition(conditions, update, now, generation);
}

function rotatingMessage(r: RotationStatus): string {
  const head = `Bringing in key version ${r.version}: ${r.phase}`;
  if (r.phase === 'RollingOut') return `${head}, ${rolloutSummary(r.dependents)}`;
  if (r.phase === 'Overlap') return `${head} until ${r.overlapEndsAt ?? '?'} (both keys valid)`;
  return head;
}
