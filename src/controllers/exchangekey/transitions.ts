// Rotation phase transitions (pure). Each function takes the status fields as they are and what
// was observed, and returns them as they should be; the phase moves here, so it is persisted
// before the step that depends on it runs.
//
//   (none) → Registering → Publishing → RollingOut → Overlap → Revoking → (none)
//   emergency:             Publishing → Revoking → RollingOut → (none)
//   first issue:           Publishing → (none)
import type { KeyVersionStatus, RotationStatus } from '../../api/v1alpha1/index.ts';
import { ANNOTATION_REVOKE, ANNOTATION_ROTATE } from '../../api/v1alpha1/index.ts';
import type { EventSpec } from './deps.ts';
import { isManual, venueName } from './manual.ts';
import type { Observed } from './observed.ts';
import {
  EVENT_ISSUED, EVENT_OLD_KEY_REVOKED, EVENT_PUBLISHED, EVENT_ROLLED_OUT, EVENT_ROTATED, EVENT_ROTATION_STARTED, ROTATION_EMERGENCY,
  ROTATION_SECRET_TAMPERED,
} from './reasons.ts';
import { allRolled, overlapMs, progressDeadlineMs, updateDependents } from './rollout-state.ts';
import { pendingRevokeToken, secretNameOf, specHashOf } from './spec.ts';
import { rotationTrigger } from './triggers.ts';

/** The status fields rotation owns. */
export interface RotationFields {
  rotation: RotationStatus | undefined;
  keys: KeyVersionStatus[];
  currentVersion: number;
  lastRotationTime: string | undefined;
  issuedSpecHash: string | undefined;
  lastRotateToken: string | undefined;
  lastRevokeToken: string | undefined;
  events: EventSpec[];
}

/** The fields as currently recorded. */
export function recordedFields(o: Observed): RotationFields {
  const s = o.key.status ?? {};
  return {
    rotation: s.rotation, keys: s.keys ?? [], currentVersion: s.currentVersion ?? 0, lastRotationTime: s.lastRotationTime,
    issuedSpecHash: s.issuedSpecHash, lastRotateToken: s.lastRotateToken, lastRevokeToken: s.lastRevokeToken, events: [],
  };
}

/** Applies at most one phase transition. */
export function transition(o: Observed, f: RotationFields, now: Date): RotationFields {
  const rotation = f.rotation;
  if (!rotation) return maybeStart(o, f, now);
  const escalated = maybeEscalate(o, f, rotation);
  if (escalated) return escalated;
  switch (rotation.phase) {
    case 'Registering':
      return maybeValidated(o, f, rotation);
    case 'Publishing':
      return maybePublished(o, f, rotation, now);
    case 'RollingOut':
      return maybeRolledOut(o, f, rotation, now);
    case 'Overlap':
      return now.getTime() >= Date.parse(rotation.overlapEndsAt ?? '') ? { ...f, rotation: { ...rotation, phase: 'Revoking' } } : f;
    case 'Revoking':
      return maybeRevoked(o, f, rotation, now);
  }
}

function maybeStart(o: Observed, f: RotationFields, now: Date): RotationFields {
  const trigger = rotationTrigger(o, now);
  if (!trigger) return f;
  const version = Math.max(f.currentVersion, ...f.keys.map((k) => k.version), 0) + 1;
  const rotation: RotationStatus = { phase: 'Registering', version, reason: trigger.reason, startedAt: now.toISOString() };
  if (f.currentVersion > 0) rotation.previousVersion = f.currentVersion;
  if (trigger.emergency) rotation.emergency = true;
  const annotations = o.key.metadata.annotations ?? {};
  const events: EventSpec[] = f.currentVersion === 0 ? [] : [{
    type: trigger.emergency || trigger.reason === ROTATION_SECRET_TAMPERED ? 'Warning' : 'Normal',
    reason: EVENT_ROTATION_STARTED,
    message: `rotating from key version ${f.currentVersion} to ${version} (${trigger.reason}): ${trigger.message}`,
  }];
  return {
    ...f, rotation, events,
    // One rotation satisfies every pending request, so each token is consumed here, once.
    lastRotateToken: annotations[ANNOTATION_ROTATE] ?? f.lastRotateToken,
    lastRevokeToken: annotations[ANNOTATION_REVOKE] ?? f.lastRevokeToken,
  };
}

/** A revoke token arriving mid-rotation makes it an emergency: the old key goes at once. */
function maybeEscalate(o: Observed, f: RotationFields, rotation: RotationStatus): RotationFields | undefined {
  const token = pendingRevokeToken(o.key);
  if (token === undefined) return undefined;
  const next: RotationStatus = { ...rotation, emergency: true, reason: ROTATION_EMERGENCY };
  const oldStillValid = f.keys.some((k) => k.version === rotation.previousVersion && k.state !== 'Revoked');
  if ((rotation.phase === 'RollingOut' || rotation.phase === 'Overlap') && oldStillValid) next.phase = 'Revoking';
  const message = `exkey.io/revoke=${token}: key version ${rotation.previousVersion ?? 'current'} is treated as compromised and revoked without waiting`;
  return { ...f, rotation: next, lastRevokeToken: token, events: [{ type: 'Warning', reason: EVENT_ROTATION_STARTED, message }] };
}

/** Registering → Publishing once the pending key passed validation; the key is recorded then. */
function maybeValidated(o: Observed, f: RotationFields, rotation: RotationStatus): RotationFields {
  const v = o.validation;
  const pending = o.pending;
  if (!v || 'failure' in v || v.version !== rotation.version || !pending || pending.version !== rotation.version) return f;
  const record: KeyVersionStatus = { version: rotation.version, keyId: pending.maskedKeyId, state: 'Pending', createdAt: pending.createdAt, validatedAt: v.at };
  const expiresAt = v.info?.expiresAt?.toISOString() ?? pending.expiresAt;
  if (expiresAt) record.expiresAt = expiresAt;
  const keys = [...f.keys.filter((k) => k.version !== record.version), record].sort((a, b) => a.version - b.version);
  return { ...f, rotation: { ...rotation, phase: 'Publishing' }, keys };
}

/** Publishing → next phase once the Secret holds the new version; back to Registering if its material was lost. */
function maybePublished(o: Observed, f: RotationFields, rotation: RotationStatus, now: Date): RotationFields {
  if (o.published.kind === 'present' && o.published.version === rotation.version) {
    const keys = f.keys.map((k): KeyVersionStatus => {
      if (k.version === rotation.version) return { ...k, state: 'Active' };
      return k.state === 'Active' ? { ...k, state: 'Previous' } : k;
    });
    const promoted = { ...f, keys, currentVersion: rotation.version, lastRotationTime: now.toISOString(), issuedSpecHash: specHashOf(o.key) };
    const secret = secretNameOf(o.key);
    if (rotation.previousVersion === undefined) {
      return { ...promoted, rotation: undefined, events: [{ type: 'Normal', reason: EVENT_ISSUED, message: `Secret ${secret} now holds key version ${rotation.version}` }] };
    }
    const next: RotationStatus = { ...rotation, phase: rotation.emergency ? 'Revoking' : 'RollingOut', dependents: [] };
    const message = rotation.emergency
      ? `Secret ${secret} now holds key version ${rotation.version}; revoking version ${rotation.previousVersion} now`
      : `Secret ${secret} now holds key version ${rotation.version}; version ${rotation.previousVersion} stays valid until dependents have rolled and the overlap ends`;
    return { ...promoted, rotation: next, events: [{ type: 'Normal', reason: EVENT_PUBLISHED, message }] };
  }
  if (o.pending === null) {
    // The material is gone before it was published: start the version over; the orphan sweep
    // revokes whatever the exchange still holds for it.
    return { ...f, keys: f.keys.filter((k) => k.version !== rotation.version), rotation: { ...rotation, phase: 'Registering' } };
  }
  return f;
}

/** RollingOut: fold in rollout progress; once every dependent has rolled, start the overlap. */
function maybeRolledOut(o: Observed, f: RotationFields, rotation: RotationStatus, now: Date): RotationFields {
  if (!o.dependents) return f;
  const { dependents, events } = updateDependents(rotation.dependents ?? [], o.dependents, progressDeadlineMs(o), now);
  const updated: RotationStatus = { ...rotation, dependents };
  if (!allRolled(dependents)) return { ...f, rotation: updated, events };
  const oldRevoked = f.keys.some((k) => k.version === rotation.previousVersion && k.state === 'Revoked');
  if (rotation.emergency && oldRevoked) return finish({ ...f, events }, updated);
  const overlapEndsAt = new Date(now.getTime() + overlapMs(o)).toISOString();
  events.push({ type: 'Normal', reason: EVENT_ROLLED_OUT, message: `${dependents.length} dependent(s) run key version ${rotation.version}; version ${rotation.previousVersion ?? '?'} is revoked after the overlap, at ${overlapEndsAt}` });
  return { ...f, rotation: { ...updated, phase: 'Overlap', overlapEndsAt }, events };
}

/** Revoking → done (or, on the emergency path, on to rolling) once old keys are revoked and dropped from the Secret. */
function maybeRevoked(o: Observed, f: RotationFields, rotation: RotationStatus, now: Date): RotationFields {
  const dropped = o.published.kind === 'present' && !o.published.hasPrevious;
  if (!o.oldRevoked || !dropped) return f;
  const at = now.toISOString();
  const revoked = f.keys.filter((k) => k.version !== f.currentVersion && k.state !== 'Revoked');
  const keys = f.keys.map((k): KeyVersionStatus => (k.version !== f.currentVersion && k.state !== 'Revoked' ? { ...k, state: 'Revoked', revokedAt: at } : k));
  const verb = isManual(o.key) ? 'a human deleted' : 'revoked';
  const message = `${verb} key version(s) ${revoked.map((k) => `${k.version} (${k.keyId ?? '****'})`).join(', ') || 'none left'} at ${venueName(o.key)}`;
  const events: EventSpec[] = [{ type: rotation.emergency ? 'Warning' : 'Normal', reason: EVENT_OLD_KEY_REVOKED, message }];
  const rolledOut = rotation.overlapEndsAt !== undefined;
  if (rotation.emergency && !rolledOut) return { ...f, keys, events, rotation: { ...rotation, phase: 'RollingOut', dependents: rotation.dependents ?? [] } };
  return finish({ ...f, keys, events }, rotation);
}

function finish(f: RotationFields, rotation: RotationStatus): RotationFields {
  const message = `rotation to key version ${rotation.version} (${rotation.reason ?? 'unknown'}) complete`;
  return { ...f, rotation: undefined, events: [...f.events, { type: 'Normal', reason: EVENT_ROTATED, message }] };
}
