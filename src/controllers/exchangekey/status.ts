// desiredStatus: what ExchangeKey.status should say given what the controller observed. Pure.
// The rotation phase moves here, before the step that depends on it runs, which is what makes
// the state machine crash-safe: a phase is persisted before its side effect.
import type { ExchangeKeyStatus, KeyVersionStatus, RotationStatus } from '../../api/v1alpha1/index.ts';
import { removeCondition, setCondition, type Condition, type ConditionUpdate } from '../../runtime/conditions.ts';
import { currentFailure } from './failures.ts';
import type { Failure, Observed } from './observed.ts';
import {
  CONDITION_DEGRADED,
  CONDITION_READY,
  CONDITION_ROTATING,
  EVENT_ISSUED,
  REASON_ISSUED,
  REASON_ISSUING,
  ROTATION_INITIAL,
  ROTATION_SECRET_LOST,
} from './reasons.ts';
import { secretNameOf } from './spec.ts';
import type { EventSpec } from './deps.ts';

export type { EventSpec } from './deps.ts';

/** The status to write and the Events that announce the transition. */
export interface StatusDecision {
  status: ExchangeKeyStatus;
  events: EventSpec[];
}

interface RotationFields {
  rotation: RotationStatus | undefined;
  keys: KeyVersionStatus[];
  currentVersion: number;
  lastRotationTime: string | undefined;
  events: EventSpec[];
}

/** Computes the status the object should have now (pure); `failure` overrides the policy chain. */
export function desiredStatus(o: Observed, now: Date, failure: Failure | undefined = currentFailure(o)): StatusDecision {
  const current = o.key.status ?? {};
  const generation = o.key.metadata.generation;
  const fields = o.key.metadata.deletionTimestamp || failure ? unchangedRotation(o) : nextRotation(o, now);
  const status: ExchangeKeyStatus = {
    ...current,
    observedGeneration: generation,
    secretName: secretNameOf(o.key),
    currentVersion: fields.currentVersion,
    keys: fields.keys,
  };
  if (fields.rotation) status.rotation = fields.rotation;
  else delete status.rotation;
  if (fields.lastRotationTime) status.lastRotationTime = fields.lastRotationTime;
  else delete status.lastRotationTime;
  status.conditions = conditionsFor(o, status, failure, now);
  return { status, events: fields.events };
}

function unchangedRotation(o: Observed): RotationFields {
  const s = o.key.status ?? {};
  return {
    rotation: s.rotation,
    keys: s.keys ?? [],
    currentVersion: s.currentVersion ?? 0,
    lastRotationTime: s.lastRotationTime,
    events: [],
  };
}

function nextRotation(o: Observed, now: Date): RotationFields {
  const fields = unchangedRotation(o);
  const rotation = fields.rotation;
  if (!rotation) return maybeStart(o, fields, now);
  if (rotation.phase === 'Registering') return maybeValidated(o, fields, rotation);
  return maybePublished(o, fields, rotation, now);
}

/** Starts bringing in a new version when there is no usable current one. */
function maybeStart(o: Observed, fields: RotationFields, now: Date): RotationFields {
  const published = o.published;
  const hasCurrent = fields.currentVersion > 0 && published.kind === 'present' && published.version === fields.currentVersion;
  if (hasCurrent) return fields;
  const version = Math.max(fields.currentVersion, ...fields.keys.map((k) => k.version), 0) + 1;
  const reason = fields.currentVersion === 0 ? ROTATION_INITIAL : ROTATION_SECRET_LOST;
  return { ...fields, rotation: { phase: 'Registering', version, reason, startedAt: now.toISOString() } };
}

/** Registering → Publishing once the pending key passed validation; the key is recorded then. */
function maybeValidated(o: Observed, fields: RotationFields, rotation: RotationStatus): RotationFields {
  const v = o.validation;
  const pending = o.pending;
  if (!v || !('info' in v) || v.version !== rotation.version || !pending || pending.version !== rotation.version) {
    return fields;
  }
  const record: KeyVersionStatus = {
    version: rotation.version,
    keyId: pending.maskedKeyId,
    state: 'Pending',
    createdAt: pending.createdAt,
    validatedAt: v.at,
  };
  const expiresAt = v.info.expiresAt?.toISOString() ?? pending.expiresAt;
  if (expiresAt) record.expiresAt = expiresAt;
  return { ...fields, rotation: { ...rotation, phase: 'Publishing' }, keys: upsertKey(fields.keys, record) };
}

/** Publishing → done once the Secret holds the version; or back to Registering if it was lost. */
function maybePublished(o: Observed, fields: RotationFields, rotation: RotationStatus, now: Date): RotationFields {
  const published = o.published.kind === 'present' && o.published.version === rotation.version;
  if (published) {
    const keys = fields.keys.map((k): KeyVersionStatus => {
      if (k.version === rotation.version) return { ...k, state: 'Active' };
      return k.state === 'Active' ? { ...k, state: 'Previous' } : k;
    });
    const message = `Secret ${secretNameOf(o.key)} now holds key version ${rotation.version}`;
    return {
      rotation: undefined,
      keys,
      currentVersion: rotation.version,
      lastRotationTime: now.toISOString(),
      events: [{ type: 'Normal', reason: EVENT_ISSUED, message }],
    };
  }
  if (o.pending === null) {
    // The material is gone before it was published: start the version over; the orphan sweep
    // revokes whatever the exchange still holds for it.
    const keys = fields.keys.filter((k) => k.version !== rotation.version);
    return { ...fields, keys, rotation: { ...rotation, phase: 'Registering' } };
  }
  return fields;
}

function upsertKey(keys: KeyVersionStatus[], record: KeyVersionStatus): KeyVersionStatus[] {
  const rest = keys.filter((k) => k.version !== record.version);
  return [...rest, record].sort((a, b) => a.version - b.version);
}

function conditionsFor(o: Observed, status: ExchangeKeyStatus, failure: Failure | undefined, now: Date): Condition[] {
  const generation = o.key.metadata.generation;
  const current = currentKey(o, status);
  let conditions = setCondition(status.conditions, readyUpdate(o, status, current, failure), now, generation);
  conditions = rotatingCondition(conditions, status.rotation, now, generation);
  if (!failure) return removeCondition(conditions, CONDITION_DEGRADED);
  if (!current) return conditions;
  const update = { type: CONDITION_DEGRADED, status: 'True' as const, reason: failure.reason, message: failure.message };
  return setCondition(conditions, update, now, generation);
}

/** The Active key version, if the published Secret holds it. */
function currentKey(o: Observed, status: ExchangeKeyStatus): KeyVersionStatus | undefined {
  const current = status.keys?.find((k) => k.version === status.currentVersion && k.state === 'Active');
  const published = o.published.kind === 'present' && o.published.version === status.currentVersion;
  return published ? current : undefined;
}

function readyUpdate(
  o: Observed,
  status: ExchangeKeyStatus,
  current: KeyVersionStatus | undefined,
  failure: Failure | undefined,
): ConditionUpdate {
  if (current) {
    const at = current.validatedAt ?? 'unknown';
    const message = `Secret ${status.secretName ?? ''} holds key version ${current.version}, accepted by ${o.key.spec.exchange} at ${at}`;
    return { type: CONDITION_READY, status: 'True', reason: REASON_ISSUED, message };
  }
  const reason = failure?.reason ?? REASON_ISSUING;
  const message = failure?.message ?? `Issuing key version ${status.rotation?.version ?? 1}`;
  return { type: CONDITION_READY, status: 'False', reason, message };
}

function rotatingCondition(
  conditions: Condition[],
  rotation: RotationStatus | undefined,
  now: Date,
  generation: number | undefined,
): Condition[] {
  if (!rotation) return removeCondition(conditions, CONDITION_ROTATING);
  const message = `Bringing in key version ${rotation.version}: ${rotation.phase}`;
  const update = { type: CONDITION_ROTATING, status: 'True' as const, reason: rotation.reason ?? ROTATION_INITIAL, message };
  return setCondition(conditions, update, now, generation);
}
