// Why a rotation starts now, as an ordered chain of small pure policies (first hit wins): the
// most urgent reason is the one recorded. A started rotation consumes every pending token,
// since one rotation satisfies both a manual and an emergency request.
import type { RotationPolicySpec } from '../../api/v1alpha1/index.ts';
import { nextRotation, type NextRotation } from '../rotation/schedule.ts';
import { currentDrift } from './drift.ts';
import type { Observed } from './observed.ts';
import {
  ROTATION_DRIFT_DETECTED,
  ROTATION_EMERGENCY,
  ROTATION_INITIAL,
  ROTATION_KEY_REVOKED_EXTERNALLY,
  ROTATION_MANUAL,
  ROTATION_SECRET_LOST,
  ROTATION_SECRET_TAMPERED,
  ROTATION_SPEC_CHANGED,
} from './reasons.ts';
import { pendingRevokeToken, pendingRotateToken, specHashOf } from './spec.ts';

/** A decision to start a rotation. */
export interface Trigger {
  reason: string;
  emergency: boolean;
  message: string;
}

type TriggerPolicy = (o: Observed, now: Date) => Trigger | undefined;

const hasCurrent = (o: Observed): boolean => (o.key.status?.currentVersion ?? 0) > 0;

const initial: TriggerPolicy = (o) =>
  hasCurrent(o) ? undefined : { reason: ROTATION_INITIAL, emergency: false, message: 'issuing the first key version' };

const emergency: TriggerPolicy = (o) => {
  const token = pendingRevokeToken(o.key);
  return token === undefined
    ? undefined
    : { reason: ROTATION_EMERGENCY, emergency: true, message: `exkey.io/revoke=${token}: the current key is treated as compromised` };
};

// Drift found at re-validation, unless the policy says Report. A rejected key has nothing to
// overlap with, and fund-moving permissions must not stay live for an overlap: both go the
// emergency way unless the policy asks for a plain rotation.
const drift: TriggerPolicy = (o) => {
  const found = currentDrift(o);
  if (!found || found.action === 'Report') return undefined;
  const reason = found.kind === 'KeyRejected' ? ROTATION_KEY_REVOKED_EXTERNALLY : ROTATION_DRIFT_DETECTED;
  return { reason, emergency: found.action !== 'Rotate', message: found.message };
};

const secretTampered: TriggerPolicy = (o) =>
  o.published.kind === 'tampered'
    ? { reason: ROTATION_SECRET_TAMPERED, emergency: false, message: `${o.published.message}; replacing the key (annotate exkey.io/revoke if the old key may have leaked)` }
    : undefined;

const secretLost: TriggerPolicy = (o) =>
  o.published.kind === 'absent' || (o.published.kind === 'present' && o.published.version !== o.key.status?.currentVersion)
    ? { reason: ROTATION_SECRET_LOST, emergency: false, message: `Secret no longer holds key version ${o.key.status?.currentVersion ?? 0}` }
    : undefined;

const specChanged: TriggerPolicy = (o) => {
  const issued = o.key.status?.issuedSpecHash;
  return issued !== undefined && issued !== specHashOf(o.key)
    ? { reason: ROTATION_SPEC_CHANGED, emergency: false, message: 'permissions, IP allowlist, key type or account changed since the key was issued' }
    : undefined;
};

const manual: TriggerPolicy = (o) => {
  const token = pendingRotateToken(o.key);
  return token === undefined ? undefined : { reason: ROTATION_MANUAL, emergency: false, message: `exkey.io/rotate=${token}` };
};

const scheduled: TriggerPolicy = (o, now) => {
  const next = scheduledRotation(o, now);
  return next && now.getTime() >= next.at.getTime() ? { reason: next.reason, emergency: false, message: next.message } : undefined;
};

const TRIGGERS: readonly TriggerPolicy[] = [initial, emergency, drift, secretTampered, secretLost, specChanged, manual, scheduled];

/** The reason to start a rotation now, or undefined. */
export function rotationTrigger(o: Observed, now: Date): Trigger | undefined {
  for (const policy of TRIGGERS) {
    const trigger = policy(o, now);
    if (trigger) return trigger;
  }
  return undefined;
}

// Without a (valid) policy a key is still renewed before an expiry the exchange imposes, with
// the default renewBefore.
const EXPIRY_ONLY: RotationPolicySpec = {};

/** When the current key is rotated next: by its policy, or before its expiry (undefined: never). */
export function scheduledRotation(o: Observed, now: Date): NextRotation | undefined {
  const status = o.key.status;
  const activated = status?.lastRotationTime;
  if (!activated || !status.currentVersion) return undefined;
  const current = status.keys?.find((k) => k.version === status.currentVersion);
  const input = { activatedAt: new Date(activated), now, ...(current?.expiresAt ? { expiresAt: new Date(current.expiresAt) } : {}) };
  if (o.policy.kind === 'found') {
    try {
      return nextRotation({ ...input, policy: o.policy.spec });
    } catch {
      // An invalid policy is reported by its own condition; only the expiry still schedules.
    }
  }
  return input.expiresAt ? nextRotation({ ...input, policy: EXPIRY_ONLY }) : undefined;
}
