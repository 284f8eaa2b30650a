// plan(): the ExchangeKey state machine, one row per situation. Each row names the state, what
// the controller has observed, and the single step it must take next.
import { describe, expect, it } from 'vitest';
import { plan, type Step } from '../../../../src/controllers/exchangekey/plan.ts';
import type { Observed } from '../../../../src/controllers/exchangekey/observed.ts';
import { EARLIER, NOW, key, observed, pending, readyStatus, rotatingStatus, settled, validated } from './fixtures.ts';

const deleting = { deletionTimestamp: new Date(NOW) };
const masterMissing: Observed['master'] = {
  kind: 'missing',
  failure: { reason: 'MasterCredentialsNotFound', message: 'master credentials Secret "bybit-master" not found', retryable: true },
};

interface Row {
  name: string;
  o: Observed;
  step: Step['kind'];
  /** Extra checks on the step. */
  check?: (step: Step) => void;
}

const rows: Row[] = [
  {
    name: 'should add the finalizer before anything else when it is missing',
    o: observed(key(undefined, { finalizers: [] })),
    step: 'AddFinalizer',
  },
  {
    name: 'should record phase Registering for version 1 before any exchange call when nothing was issued',
    o: observed(key()),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.rotation).toMatchObject({ phase: 'Registering', version: 1, reason: 'Initial', startedAt: NOW.toISOString() });
      expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Issuing' });
      expect(s.status.conditions?.find((c) => c.type === 'Rotating')).toMatchObject({ status: 'True', reason: 'Initial' });
    },
  },
  {
    name: 'should read the pending Secret first when resuming a Registering phase',
    o: settled(observed(key(rotatingStatus('Registering')))),
    step: 'LoadPending',
  },
  {
    name: 'should load master credentials before registering',
    o: settled(observed(key(rotatingStatus('Registering')), { pending: null })),
    step: 'LoadMaster',
  },
  {
    name: 'should sweep orphans before registering when the phase was opened by an earlier (possibly crashed) run',
    o: settled(observed(key(rotatingStatus('Registering')), { pending: null, master: { kind: 'loaded' } })),
    step: 'SweepOrphans',
  },
  {
    name: 'should register without sweeping when this reconcile opened the phase itself',
    o: settled(observed(key(rotatingStatus('Registering')), { pending: null, master: { kind: 'loaded' }, registeringStartedHere: true })),
    step: 'Register',
    check: (s) => { expect(s).toEqual({ kind: 'Register', version: 1 }); },
  },
  {
    name: 'should register after the sweep',
    o: settled(observed(key(rotatingStatus('Registering')), { pending: null, master: { kind: 'loaded' }, swept: true })),
    step: 'Register',
  },
  {
    name: 'should report MasterCredentialsNotFound when the master Secret is missing',
    o: observed(key(rotatingStatus('Registering')), { pending: null, master: masterMissing }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'MasterCredentialsNotFound' });
      expect(s.status.rotation?.phase).toBe('Registering');
    },
  },
  {
    name: 'should stop with the failure once it is in status',
    o: settled(observed(key({
      ...rotatingStatus('Registering'),
      conditions: [
        { type: 'Ready', status: 'False', reason: 'MasterCredentialsNotFound', message: 'master credentials Secret "bybit-master" not found', lastTransitionTime: EARLIER, observedGeneration: 1 },
        { type: 'Rotating', status: 'True', reason: 'Initial', message: 'Bringing in key version 1: Registering', lastTransitionTime: EARLIER, observedGeneration: 1 },
      ],
    }), { pending: null, master: masterMissing })),
    step: 'Done',
    check: (s) => { expect(s).toMatchObject({ kind: 'Done', failure: { reason: 'MasterCredentialsNotFound' } }); },
  },
  {
    name: 'should validate a pending key of the version being registered',
    o: settled(observed(key(rotatingStatus('Registering')), { pending: pending(1) })),
    step: 'Validate',
  },
  {
    name: 'should move to Publishing and record the key once it passed validation',
    o: observed(key(rotatingStatus('Registering')), { pending: pending(1), validation: validated(1) }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.rotation?.phase).toBe('Publishing');
      expect(s.status.keys).toEqual([expect.objectContaining({ version: 1, state: 'Pending', keyId: 'NeWk…ey', validatedAt: NOW.toISOString() })]);
    },
  },
  {
    name: 'should revoke a pending key that failed validation',
    o: settled(observed(key(rotatingStatus('Registering')), {
      pending: pending(1), master: { kind: 'loaded' },
      validation: { version: 1, failure: { reason: 'ValidationFailed', message: 'withdraw on', retryable: true } },
    })),
    step: 'RevokePending',
  },
  {
    name: 'should delete the pending Secret once the rejected key is revoked',
    o: settled(observed(key(rotatingStatus('Registering')), {
      pending: pending(1), master: { kind: 'loaded' }, pendingRevoked: true,
      validation: { version: 1, failure: { reason: 'ValidationFailed', message: 'withdraw on', retryable: true } },
    })),
    step: 'DeletePending',
  },
  {
    name: 'should report ValidationFailed after the rejected key is gone',
    o: observed(key(rotatingStatus('Registering')), {
      pending: null, master: { kind: 'loaded' }, pendingRevoked: true,
      validation: { version: 1, failure: { reason: 'ValidationFailed', message: 'withdraw on', retryable: true } },
    }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ValidationFailed' });
    },
  },
  {
    name: 'should sweep (revoking it) before discarding a pending key from an earlier attempt',
    o: settled(observed(key(rotatingStatus('Registering', 2, readyStatus(1))), { pending: pending(1), master: { kind: 'loaded' }, published: { kind: 'present', version: 1, hasPrevious: false } })),
    step: 'SweepOrphans',
  },
  {
    name: 'should publish the pending key in phase Publishing',
    o: settled(observed(key(rotatingStatus('Publishing')), { pending: pending(1) })),
    step: 'Publish',
    check: (s) => { expect(s).toEqual({ kind: 'Publish', version: 1 }); },
  },
  {
    name: 'should mark Ready, make the key Active and clear the rotation once the Secret holds the version',
    o: observed(key(rotatingStatus('Publishing')), { pending: pending(1), published: { kind: 'present', version: 1, hasPrevious: false } }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.rotation).toBeUndefined();
      expect(s.status.currentVersion).toBe(1);
      expect(s.status.lastRotationTime).toBe(NOW.toISOString());
      expect(s.status.keys?.[0]?.state).toBe('Active');
      expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Issued' });
      expect(s.status.conditions?.find((c) => c.type === 'Rotating')).toBeUndefined();
      expect(s.events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'Issued' })]);
    },
  },
  {
    name: 'should go back to Registering when the pending material vanished before publication',
    o: observed(key(rotatingStatus('Publishing')), { pending: null }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.rotation?.phase).toBe('Registering');
      expect(s.status.keys).toEqual([]);
    },
  },
  {
    name: 'should delete a pending Secret left over after publication',
    o: observed(key(readyStatus(1)), { published: { kind: 'present', version: 1, hasPrevious: false }, pendingLeftover: true }),
    step: 'DeletePending',
  },
  {
    name: 'should sweep once more after publishing a resumed attempt',
    o: observed(key(readyStatus(1)), { published: { kind: 'present', version: 1, hasPrevious: false }, pending: null, finalSweepDue: true, master: { kind: 'loaded' } }),
    step: 'SweepOrphans',
  },
  {
    name: 'should not sweep after a clean first attempt',
    o: observed(key(readyStatus(1)), { published: { kind: 'present', version: 1, hasPrevious: false }, pending: null, master: { kind: 'loaded' } }),
    step: 'Done',
  },
  {
    name: 'should do nothing but arm the re-validation timer when Ready and nothing changed (an idle resync writes nothing)',
    o: observed(key(readyStatus(1)), { published: { kind: 'present', version: 1, hasPrevious: false } }),
    step: 'Done',
    check: (s) => { expect(s).toEqual({ kind: 'Done', requeueAfterMs: 50 * 60_000 }); },
  },
  {
    name: 'should start version 2 when the published Secret was deleted',
    o: observed(key(readyStatus(1))),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.rotation).toMatchObject({ phase: 'Registering', version: 2, reason: 'SecretLost' });
      expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False' });
    },
  },
  {
    name: 'should report UnknownExchange and touch nothing else',
    o: observed(key(), { exchangeKnown: false }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.rotation).toBeUndefined();
      expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'UnknownExchange' });
    },
  },
  {
    name: 'should refuse to take over a Secret it does not own',
    o: observed(key(), { published: { kind: 'conflict', message: 'Secret mm already exists and is not owned by this ExchangeKey' } }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'SecretConflict' });
    },
  },
  {
    name: 'should keep Ready True and set Degraded when a failure hits while a valid key is current',
    o: observed(key(readyStatus(1)), { published: { kind: 'present', version: 1, hasPrevious: false }, failure: { reason: 'ExchangeUnavailable', message: 'bybit error 503', retryable: true } }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(s.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'ExchangeUnavailable' });
    },
  },
];

const deletionRows: Row[] = [
  {
    name: 'should let go at once when being deleted without the finalizer',
    o: observed(key(undefined, { ...deleting, finalizers: [] })),
    step: 'Done',
  },
  {
    name: 'should remove the finalizer without revoking under deletionPolicy Retain',
    o: observed({ ...key(readyStatus(1), deleting), spec: { ...key().spec, deletionPolicy: 'Retain' } }),
    step: 'RemoveFinalizer',
    check: (s) => { expect(s).toMatchObject({ event: { reason: 'Retained' } }); },
  },
  {
    name: 'should remove the finalizer at once when no key was ever created',
    o: observed(key(undefined, deleting)),
    step: 'RemoveFinalizer',
  },
  {
    name: 'should load master credentials before revoking',
    o: observed(key(readyStatus(1), deleting)),
    step: 'LoadMaster',
  },
  {
    name: 'should read the pending Secret so a key mid-rotation is revoked too',
    o: observed(key(readyStatus(1), deleting), { master: { kind: 'loaded' } }),
    step: 'LoadPending',
  },
  {
    name: 'should revoke every key at the exchange',
    o: observed(key(readyStatus(1), deleting), { master: { kind: 'loaded' }, pending: null }),
    step: 'RevokeAll',
  },
  {
    name: 'should remove the finalizer once every key is revoked',
    o: observed(key(readyStatus(1), deleting), { master: { kind: 'loaded' }, pending: null, revokedAll: { count: 1 } }),
    step: 'RemoveFinalizer',
  },
  {
    name: 'should block deletion with RevokeBlocked when the master Secret is missing',
    o: observed(key(readyStatus(1), deleting), { master: masterMissing, published: { kind: 'present', version: 1, hasPrevious: false } }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(s.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(s.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ reason: 'RevokeBlocked' });
      expect(s.status.conditions?.find((c) => c.type === 'Degraded')?.message).toContain('"bybit-master" not found');
    },
  },
  {
    name: 'should block deletion with a way out when the exchange is unknown',
    o: observed(key(readyStatus(1), deleting), { exchangeKnown: false }),
    step: 'WriteStatus',
    check: (s) => {
      if (s.kind !== 'WriteStatus') return;
      expect(JSON.stringify(s.status.conditions)).toContain('deletionPolicy: Retain');
    },
  },
];

describe('plan', () => {
  it.each(rows)('$name', ({ o, step, check }) => {
    const next = plan(o, NOW);
    expect(next.kind).toBe(step);
    check?.(next);
  });
});

describe('plan during deletion', () => {
  it.each(deletionRows)('$name', ({ o, step, check }) => {
    const next = plan(o, NOW);
    expect(next.kind).toBe(step);
    check?.(next);
  });
});

describe('plan is pure', () => {
  it('should return the same step for the same input and never mutate it', () => {
    const o = observed(key(rotatingStatus('Publishing')), { pending: pending(1), published: { kind: 'present', version: 1, hasPrevious: false } });
    const frozen = JSON.stringify(o);
    expect(plan(o, NOW)).toEqual(plan(o, NOW));
    expect(JSON.stringify(o)).toBe(frozen);
  });

  it('should keep lastTransitionTime when a condition keeps its status', () => {
    const o = observed(key(readyStatus(1)), { published: { kind: 'present', version: 1, hasPrevious: false }, failure: { reason: 'ExchangeUnavailable', message: 'x', retryable: true } });
    const next = plan(o, NOW);
    if (next.kind !== 'WriteStatus') throw new Error('expected WriteStatus');
    expect(next.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(EARLIER);
    expect(next.status.conditions?.find((c) => c.type === 'Degraded')?.lastTransitionTime).toBe(NOW.toISOString());
  });
});
