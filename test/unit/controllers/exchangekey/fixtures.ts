// Builders for ExchangeKey planning tests: an object in a named state, and an Observed around it.
import { FINALIZER, type ExchangeKey, type ExchangeKeyStatus } from '../../../../src/api/v1alpha1/index.ts';
import type { Observed } from '../../../../src/controllers/exchangekey/observed.ts';
import type { Step } from '../../../../src/controllers/exchangekey/plan.ts';
import { desiredStatus } from '../../../../src/controllers/exchangekey/status.ts';

export const NOW = new Date('2026-03-02T10:00:00Z');
export const EARLIER = '2026-03-01T09:00:00.000Z';
/** When a Ready fixture key was last re-validated: ten minutes ago, so no re-validation is due yet. */
export const VALIDATED = '2026-03-02T09:50:00.000Z';

/** An ExchangeKey with the finalizer, optional status and deletion. */
export function key(status?: ExchangeKeyStatus, overrides: Partial<ExchangeKey['metadata']> = {}): ExchangeKey {
  return {
    apiVersion: 'exkey.io/v1alpha1',
    kind: 'ExchangeKey',
    metadata: {
      name: 'mm', namespace: 'trading', uid: '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
      generation: 1, resourceVersion: '10', finalizers: [FINALIZER], ...overrides,
    },
    spec: {
      exchange: 'bybit', account: '1001', masterCredentialsRef: { name: 'bybit-master' },
      permissions: ['read', 'trade'], ipAllowlist: ['10.0.0.1'],
    },
    ...(status ? { status } : {}),
  };
}

/** A manual ExchangeKey (Kraken, a human creates the keys) in the same state as key(). */
export function manualKey(status?: ExchangeKeyStatus, overrides: Partial<ExchangeKey['metadata']> = {}, venue = 'kraken'): ExchangeKey {
  const k = key(status, overrides);
  return {
    ...k,
    spec: {
      exchange: 'manual', permissions: ['read', 'trade:spot'], ipAllowlist: ['10.0.0.1'],
      manual: { venue, handoffSecretRef: { name: 'kraken-handoff' }, pollInterval: '20s' },
    },
  };
}

/** Status of a key that is Ready with version `version`. */
export function readyStatus(version = 1): ExchangeKeyStatus {
  return {
    observedGeneration: 1,
    secretName: 'mm',
    currentVersion: version,
    keys: [{ version, keyId: 'AbCd…yz', state: 'Active', createdAt: EARLIER, validatedAt: VALIDATED }],
    lastRotationTime: EARLIER,
    conditions: [{
      type: 'Ready', status: 'True', reason: 'Issued', observedGeneration: 1, lastTransitionTime: EARLIER,
      message: `Secret mm holds key version ${version}, accepted by bybit at ${VALIDATED}`,
    }],
  };
}

/** Status in the middle of bringing in `version`. */
export function rotatingStatus(phase: 'Registering' | 'Publishing', version = 1, base: ExchangeKeyStatus = {}): ExchangeKeyStatus {
  const keys = phase === 'Publishing'
    ? [...(base.keys ?? []), { version, keyId: 'NeWk…ey', state: 'Pending' as const, createdAt: EARLIER, validatedAt: EARLIER }]
    : base.keys ?? [];
  return {
    ...base,
    observedGeneration: 1,
    secretName: 'mm',
    currentVersion: base.currentVersion ?? 0,
    keys,
    rotation: { phase, version, reason: 'Initial', startedAt: EARLIER },
  };
}

/** An Observed around `k` with the published Secret absent unless given. */
export function observed(k: ExchangeKey, extra: Partial<Observed> = {}): Observed {
  return { key: k, exchangeKnown: true, published: { kind: 'absent' }, policy: { kind: 'none' }, rolloutSlots: 1, ...extra };
}

/** A pending key record for `version`. */
export function pending(version = 1): NonNullable<Observed['pending']> {
  return { version, maskedKeyId: 'NeWk…ey', createdAt: EARLIER };
}

/** A successful validation of `version`. */
export function validated(version = 1): Observed['validation'] {
  return { version, at: NOW.toISOString(), info: { keyId: 'k', permissions: ['read', 'trade'], unmappedPermissions: [], ipAllowlist: ['10.0.0.1'], withdrawEnabled: false } };
}

/**
 * The same observation after the controller wrote the status it wanted: rows about "the next
 * step once status is recorded" start from here, so they test the step, not a status write.
 */
export function settled(o: Observed): Observed {
  const status = desiredStatus(o, new Date(EARLIER)).status;
  return { ...o, key: { ...o.key, status } };
}

/** One row of a plan table: the situation, and the single step the plan must take next. */
export interface PlanRow {
  name: string;
  o: Observed;
  step: Step['kind'];
  /** Extra checks on the step. */
  check?: (step: Step) => void;
}

/** The step as a status write; throws (failing the row) when it is another step. */
export function ws(step: Step): Extract<Step, { kind: 'WriteStatus' }> {
  if (step.kind !== 'WriteStatus') throw new Error(`expected WriteStatus, got ${step.kind}`);
  return step;
}
