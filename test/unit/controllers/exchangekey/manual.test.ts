// plan() on the manual path (spec.exchange: manual): the same phases as every venue, with a human
// creating the key (status.manual CreateKey, the handoff Secret) and deleting the old one
// (DeleteKey, probed until the venue refuses it). One row per situation.
import { describe, expect, it } from 'vitest';
import type { ExchangeKeyStatus, RotationStatus } from '../../../../src/api/v1alpha1/index.ts';
import type { Observed } from '../../../../src/controllers/exchangekey/observed.ts';
import { plan } from '../../../../src/controllers/exchangekey/plan.ts';
import { specHashOf } from '../../../../src/controllers/exchangekey/spec.ts';
import {
  EARLIER, NOW, VALIDATED, manualKey, observed, pending, readyStatus, rotatingStatus, settled, validated, ws, type PlanRow,
} from './fixtures.ts';

const POLL_MS = 20_000;
const deleting = { deletionTimestamp: new Date(NOW) };
const rejection: Observed['validation'] = {
  version: 1, keyId: 'BaDk…ey',
  failure: { reason: 'ValidationFailed', message: 'new key BaDk…ey (version 1) was refused and not published: withdrawal is enabled', retryable: true },
};
const published2 = { kind: 'present' as const, version: 2, hasPrevious: true };

/** A manual key mid-rotation from 1 to 2 in `phase`. */
function rotating(phase: RotationStatus['phase'], rotation: Partial<RotationStatus> = {}): ExchangeKeyStatus {
  return {
    ...readyStatus(1),
    issuedSpecHash: specHashOf(manualKey()),
    currentVersion: 2,
    keys: [
      { version: 1, keyId: 'OldK…ey', state: 'Previous', createdAt: EARLIER, validatedAt: EARLIER },
      { version: 2, keyId: 'NeWk…ey', state: 'Active', createdAt: EARLIER, validatedAt: EARLIER },
    ],
    rotation: { phase, version: 2, previousVersion: 1, reason: 'Manual', startedAt: EARLIER, dependents: [], overlapEndsAt: EARLIER, ...rotation },
  };
}

const rows: PlanRow[] = [
  {
    name: 'should ask a human for key version 1 (Ready=False AwaitingHuman, one Event) when a manual key has nothing issued',
    o: observed(manualKey()),
    step: 'WriteStatus',
    check: (s) => {
      const { status, events } = ws(s);
      expect(status.rotation).toMatchObject({ phase: 'Registering', version: 1 });
      expect(status.manual).toMatchObject({
        action: 'CreateKey', version: 1, requiredPermissions: ['read', 'trade:spot'], forbiddenPermissions: ['withdraw', 'transfer'],
        ipAllowlist: ['10.0.0.1'], handoffSecret: 'kraken-handoff', since: NOW.toISOString(),
      });
      expect(status.manual?.instructions).toContain('Create a new API key at kraken');
      expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingHuman' });
      expect(events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'AwaitingHuman' })]);
    },
  },
  {
    name: 'should look at the handoff Secret (never master credentials or an orphan sweep) when Registering with no pending key',
    o: settled(observed(manualKey(rotatingStatus('Registering')), { pending: null })),
    step: 'TakeHandoff',
    check: (s) => { expect(s).toEqual({ kind: 'TakeHandoff', version: 1 }); },
  },
  {
    name: 'should look again after pollInterval when the handoff Secret holds no new key',
    o: settled(observed(manualKey(rotatingStatus('Registering')), { pending: null, handoffEmpty: true })),
    step: 'Done',
    check: (s) => { expect(s).toEqual({ kind: 'Done', requeueAfterMs: POLL_MS }); },
  },
  {
    name: 'should validate the key taken from the handoff Secret',
    o: settled(observed(manualKey(rotatingStatus('Registering')), { pending: pending(1) })),
    step: 'Validate',
  },
  {
    name: 'should record the refused key in status.manual.rejected when the venue reports a key that differs from the spec',
    o: settled(observed(manualKey(rotatingStatus('Registering')), { pending: pending(1) })),
    step: 'WriteStatus',
  },
  {
    name: 'should drop the pending Secret without trying to revoke (a human must) when the key was refused',
    o: settled(observed(manualKey(rotatingStatus('Registering')), { pending: pending(1), validation: rejection })),
    step: 'DeletePending',
  },
  {
    name: 'should report ValidationFailed with the refusal once the pending Secret is gone',
    o: settled(observed(manualKey(rotatingStatus('Registering')), { pending: pending(1), validation: rejection })),
    step: 'WriteStatus',
  },
  {
    name: 'should move to Publishing once the venue accepted the key',
    o: observed(manualKey(rotatingStatus('Registering')), { pending: pending(1), validation: validated(1) }),
    step: 'WriteStatus',
    check: (s) => { expect(ws(s).status.rotation?.phase).toBe('Publishing'); },
  },
  {
    name: 'should ask the human to delete the old key, naming its masked id, when Revoking',
    o: observed(manualKey(rotating('Revoking')), { published: published2 }),
    step: 'WriteStatus',
    check: (s) => {
      const { status, events } = ws(s);
      expect(status.manual).toMatchObject({ action: 'DeleteKey', deleteKeyIds: ['OldK…ey'] });
      expect(status.manual?.instructions).toContain('Delete key OldK…ey at kraken');
      expect(status.conditions?.find((c) => c.type === 'Rotating')?.message).toContain('waiting for a human');
      expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(events.map((e) => e.reason)).toEqual(['AwaitingHuman']);
    },
  },
  {
    name: 'should probe the old key (never an adapter revoke) when Revoking',
    o: settled(observed(manualKey(rotating('Revoking')), { published: published2 })),
    step: 'ProbeOld',
  },
  {
    name: 'should look again after pollInterval while the venue still accepts the old key',
    o: settled(observed(manualKey(rotating('Revoking')), { published: published2, stillLive: ['OldK…ey'] })),
    step: 'Done',
    check: (s) => { expect(s).toEqual({ kind: 'Done', requeueAfterMs: POLL_MS }); },
  },
  {
    name: 'should drop the previous version from the Secret once the venue refuses the old key',
    o: settled(observed(manualKey(rotating('Revoking')), { published: published2, oldRevoked: true })),
    step: 'DropPrevious',
  },
  {
    name: 'should mark the old version Revoked and finish once it is refused and dropped',
    o: observed(manualKey(rotating('Revoking')), { published: { ...published2, hasPrevious: false }, oldRevoked: true }),
    step: 'WriteStatus',
    check: (s) => {
      const { status, events } = ws(s);
      expect(status.rotation).toBeUndefined();
      expect(status.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
      expect(status.manual?.action).toBe('None');
      expect(events.find((e) => e.reason === 'OldKeyRevoked')?.message).toContain('a human deleted key version(s) 1 (OldK…ey) at kraken');
    },
  },
  {
    name: 'should tell the human to delete the compromised key at once and create a new one when exkey.io/revoke is set',
    o: observed(manualKey({ ...readyStatus(1), issuedSpecHash: specHashOf(manualKey()) }, { annotations: { 'exkey.io/revoke': 't1' } }), {
      published: { kind: 'present', version: 1, hasPrevious: false },
    }),
    step: 'WriteStatus',
    check: (s) => {
      const { status } = ws(s);
      expect(status.rotation).toMatchObject({ phase: 'Registering', emergency: true });
      expect(status.manual?.instructions).toContain('Key AbCd…yz is treated as compromised: delete it at kraken now');
    },
  },
  {
    name: 'should ask the human to delete every live key when a manual key is deleted with deletionPolicy Revoke',
    o: observed(manualKey(readyStatus(1), deleting), { published: { kind: 'present', version: 1, hasPrevious: false } }),
    step: 'WriteStatus',
    check: (s) => { expect(ws(s).status.manual).toMatchObject({ action: 'DeleteKey', deleteKeyIds: ['AbCd…yz'] }); },
  },
  {
    name: 'should probe every live key before removing the finalizer when a manual key is deleted',
    o: settled(observed(manualKey(readyStatus(1), deleting), { published: { kind: 'present', version: 1, hasPrevious: false }, pending: null })),
    step: 'ProbeAll',
  },
  {
    name: 'should keep the finalizer and look again while a live key still works when a manual key is deleted',
    o: settled(observed(manualKey(readyStatus(1), deleting), { pending: null, stillLive: ['AbCd…yz'] })),
    step: 'Done',
    check: (s) => { expect(s).toEqual({ kind: 'Done', requeueAfterMs: POLL_MS }); },
  },
  {
    name: 'should remove the finalizer once the venue refuses every key when a manual key is deleted',
    o: settled(observed(manualKey(readyStatus(1), deleting), { pending: null, revokedAll: { count: 1 } })),
    step: 'RemoveFinalizer',
  },
  {
    name: 'should never re-validate when the manual venue has no read-only call',
    o: observed(manualKey({ ...readyStatus(1), issuedSpecHash: specHashOf(manualKey()), manual: { action: 'None', instructions: 'Nothing to do at the venue.' },
      keys: [{ version: 1, keyId: 'AbCd…yz', state: 'Active', createdAt: EARLIER, validatedAt: EARLIER }] }, {}, 'none'), {
      published: { kind: 'present', version: 1, hasPrevious: false },
    }),
    step: 'WriteStatus',
    check: (s) => {
      expect(ws(s).status.conditions?.find((c) => c.type === 'Ready')?.message).toContain('not validated');
    },
  },
];

// Rows whose observation needs the status written first, with a fresh outcome on top.
const fixups: Record<string, (o: Observed) => Observed> = {
  'should record the refused key in status.manual.rejected when the venue reports a key that differs from the spec': (o) => ({ ...o, validation: rejection }),
  'should report ValidationFailed with the refusal once the pending Secret is gone': (o) => ({ ...o, pending: null }),
};

describe('plan (manual venues)', () => {
  it.each(rows)('$name', ({ name, o, step, check }) => {
    const input = fixups[name]?.(o) ?? o;
    const next = plan(input, NOW);
    expect(next.kind).toBe(step);
    check?.(next);
    if (name.startsWith('should record the refused key')) {
      expect(ws(next).status.manual?.rejected).toEqual({ keyId: 'BaDk…ey', message: expect.stringContaining('withdrawal is enabled') });
    }
    if (name.startsWith('should report ValidationFailed')) {
      expect(ws(next).status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ValidationFailed' });
    }
  });

  it('should publish a key from a venue with no read-only call unchecked and say so', () => {
    const o = observed(manualKey(rotatingStatus('Registering'), {}, 'none'), { pending: pending(1), validation: { version: 1, at: VALIDATED } });
    expect(ws(plan(o, NOW)).status.rotation?.phase).toBe('Publishing');
  });

  it('should report an unknown manual venue as UnknownExchange naming the venue', () => {
    const step = plan(observed(manualKey(undefined, {}, 'bitmex'), { exchangeKnown: false }), NOW);
    expect(ws(step).status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'UnknownExchange', message: expect.stringContaining('manual venue "bitmex"') });
  });
});
