// plan() through a rotation: triggers, publish with the old version kept, throttled rollouts,
// progress deadline, overlap, revocation, and the emergency path. One row per situation.
import { describe, expect, it } from 'vitest';
import type { ExchangeKeyStatus, RotationStatus } from '../../../../src/api/v1alpha1/index.ts';
import type { DependentObservation, Observed } from '../../../../src/controllers/exchangekey/observed.ts';
import { plan, type Step } from '../../../../src/controllers/exchangekey/plan.ts';
import { specHashOf } from '../../../../src/controllers/exchangekey/spec.ts';
import { EARLIER, NOW, key, observed, pending, readyStatus, settled } from './fixtures.ts';

const policy: Observed['policy'] = {
  kind: 'found', name: 'hourly',
  spec: { interval: '1h', overlap: '10m', rollout: { progressDeadline: '5m', maxConcurrent: 1 } },
};
const published2 = { kind: 'present' as const, version: 2, hasPrevious: true };
const minutesAgo = (m: number): string => new Date(NOW.getTime() - m * 60_000).toISOString();

/** A key Ready at version 1, made current `activatedMinutesAgo` minutes ago. */
function ready(activatedMinutesAgo: number, extra: Partial<ExchangeKeyStatus> = {}): ExchangeKeyStatus {
  const base = readyStatus(1);
  return { ...base, lastRotationTime: minutesAgo(activatedMinutesAgo), issuedSpecHash: specHashOf(key()), ...extra };
}

/** Mid-rotation from 1 to 2 in `phase`. */
function rotating(phase: RotationStatus['phase'], rotation: Partial<RotationStatus> = {}): ExchangeKeyStatus {
  return {
    ...ready(0),
    currentVersion: 2,
    keys: [
      { version: 1, keyId: 'OldK…ey', state: 'Previous', createdAt: EARLIER, validatedAt: EARLIER },
      { version: 2, keyId: 'NeWk…ey', state: 'Active', createdAt: EARLIER, validatedAt: EARLIER },
    ],
    rotation: { phase, version: 2, previousVersion: 1, reason: 'Scheduled', startedAt: minutesAgo(1), dependents: [], ...rotation },
  };
}

const dep = (name: string, rollout: DependentObservation['rollout'], message = ''): DependentObservation => ({ kind: 'Deployment', name, rollout, message });
const withAnnotations = (annotations: Record<string, string>): ReturnType<typeof key> => key(undefined, { annotations });

function ws(step: Step): Extract<Step, { kind: 'WriteStatus' }> {
  if (step.kind !== 'WriteStatus') throw new Error(`expected WriteStatus, got ${step.kind}`);
  return step;
}

describe('what starts a rotation', () => {
  it.each<{ name: string; status: ExchangeKeyStatus; annotations: Record<string, string>; reason: string }>([
    { name: 'should start a Scheduled rotation once the interval has elapsed', status: ready(61), annotations: {}, reason: 'Scheduled' },
    { name: 'should start a Manual rotation for a new exkey.io/rotate token', status: ready(1), annotations: { 'exkey.io/rotate': 't1' }, reason: 'Manual' },
    { name: 'should start an Emergency rotation for a new exkey.io/revoke token', status: ready(1), annotations: { 'exkey.io/revoke': 'incident-7' }, reason: 'Emergency' },
    { name: 'should start a SpecChanged rotation when the issued spec differs', status: ready(1, { issuedSpecHash: 'stale' }), annotations: {}, reason: 'SpecChanged' },
  ])('$name', ({ status, annotations, reason }) => {
    const k = { ...withAnnotations(annotations), status };
    const step = ws(plan(observed(k, { policy, published: { kind: 'present', version: 1, hasPrevious: false } }), NOW));
    expect(step.status.rotation).toMatchObject({ phase: 'Registering', version: 2, previousVersion: 1, reason });
    expect(step.status.rotation?.emergency === true).toBe(reason === 'Emergency');
    expect(step.events).toEqual([expect.objectContaining({ reason: 'RotationStarted' })]);
    if (annotations['exkey.io/rotate']) expect(step.status.lastRotateToken).toBe('t1');
    if (annotations['exkey.io/revoke']) expect(step.status.lastRevokeToken).toBe('incident-7');
  });

  it('should not act on a token twice', () => {
    const k = { ...withAnnotations({ 'exkey.io/rotate': 't1' }), status: ready(1, { lastRotateToken: 't1' }) };
    const o = settled(observed(k, { policy, published: { kind: 'present', version: 1, hasPrevious: false } }));
    const step = plan(o, NOW);
    expect(step.kind).toBe('Done');
  });

  it('should wait, with a timer for the due time, before the interval has elapsed', () => {
    const o = settled(observed({ ...key(), status: ready(20) }, { policy, published: { kind: 'present', version: 1, hasPrevious: false } }));
    expect(o.key.status?.nextRotationTime).toBe(new Date(NOW.getTime() + 40 * 60_000).toISOString());
    expect(plan(o, NOW)).toEqual({ kind: 'Done', requeueAfterMs: 40 * 60_000 });
  });

  it('should not schedule a rotation without a policy, only the next re-validation, and keep the key Ready', () => {
    const o = settled(observed({ ...key(), status: ready(600) }, { published: { kind: 'present', version: 1, hasPrevious: false } }));
    expect(o.key.status?.nextRotationTime).toBeUndefined();
    expect(plan(o, NOW)).toEqual({ kind: 'Done', requeueAfterMs: 50 * 60_000 });
  });

  it('should report a missing policy as Degraded and keep Ready True', () => {
    const o = observed({ ...key(), status: ready(1) }, { policy: { kind: 'missing', name: 'gone' }, published: { kind: 'present', version: 1, hasPrevious: false } });
    const step = ws(plan(o, NOW));
    expect(step.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(step.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ reason: 'PolicyNotFound' });
  });
});

describe('publishing a rotation', () => {
  it('should make the new version current, keep the old one as Previous, and start rolling out', () => {
    const status = { ...ready(61), keys: [...ready(61).keys ?? [], { version: 2, keyId: 'NeWk…ey', state: 'Pending' as const, createdAt: EARLIER, validatedAt: EARLIER }],
      rotation: { phase: 'Publishing' as const, version: 2, previousVersion: 1, reason: 'Scheduled', startedAt: EARLIER } };
    const step = ws(plan(observed({ ...key(), status }, { policy, pending: pending(2), published: published2 }), NOW));
    expect(step.status.currentVersion).toBe(2);
    expect(step.status.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Previous'], [2, 'Active']]);
    expect(step.status.rotation).toMatchObject({ phase: 'RollingOut', dependents: [] });
    expect(step.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(step.events).toEqual([expect.objectContaining({ reason: 'Published' })]);
  });

  it('should go straight to revoking on the emergency path', () => {
    const status = { ...ready(1), rotation: { phase: 'Publishing' as const, version: 2, previousVersion: 1, reason: 'Emergency', emergency: true, startedAt: EARLIER } };
    const step = ws(plan(observed({ ...key(), status }, { pending: pending(2), published: published2 }), NOW));
    expect(step.status.rotation?.phase).toBe('Revoking');
  });
});

describe('rolling out dependents', () => {
  const base = (rotation: Partial<RotationStatus>, extra: Partial<Observed> = {}): Observed =>
    settled(observed({ ...key(), status: rotating('RollingOut', rotation) }, { policy, published: published2, ...extra }));

  it.each([
    {
      name: 'should load the dependents first',
      o: base({}), step: 'LoadDependents',
    },
    {
      name: 'should record new dependents as Pending before rolling any',
      o: observed({ ...key(), status: rotating('RollingOut') }, { policy, published: published2, dependents: [dep('a', 'not-started'), dep('b', 'not-started')] }),
      step: 'WriteStatus',
    },
    {
      name: 'should start as many rollouts as there are free slots',
      o: base({ dependents: [{ kind: 'Deployment', name: 'a', state: 'Pending', message: 'waiting for a rollout slot' }, { kind: 'Deployment', name: 'b', state: 'Pending', message: 'waiting for a rollout slot' }] },
        { dependents: [dep('a', 'not-started'), dep('b', 'not-started')], rolloutSlots: 1 }),
      step: 'StartRollouts',
      check: (s: Step) => { expect(s).toEqual({ kind: 'StartRollouts', refs: [{ kind: 'Deployment', name: 'a' }] }); },
    },
    {
      name: 'should wait for a slot when the policy has none free',
      o: base({ dependents: [{ kind: 'Deployment', name: 'a', state: 'Pending', message: 'waiting for a rollout slot' }] }, { dependents: [dep('a', 'not-started')], rolloutSlots: 0 }),
      step: 'Done',
      check: (s: Step) => { expect(s).toEqual({ kind: 'Done', requeueAfterMs: 5_000 }); },
    },
    {
      name: 'should re-patch a workload recorded as Rolling whose template never got the version (crash in between)',
      o: base({ dependents: [{ kind: 'Deployment', name: 'a', state: 'Rolling', startedAt: minutesAgo(1), message: 'x' }] }, { dependents: [dep('a', 'not-started', 'x')] }),
      step: 'RollWorkloads',
    },
  ])('$name', ({ o, step, check }) => {
    const next = plan(o, NOW);
    expect(next.kind).toBe(step);
    check?.(next);
  });

  it('should mark a rollout Failed after the progress deadline, set Degraded, and never move on to revoking', () => {
    const o = observed({ ...key(), status: rotating('RollingOut', { dependents: [{ kind: 'Deployment', name: 'a', state: 'Rolling', startedAt: minutesAgo(6), message: 'x' }] }) },
      { policy, published: published2, dependents: [dep('a', 'progressing', '1 of 3 replicas updated and available')] });
    const step = ws(plan(o, NOW));
    expect(step.status.rotation).toMatchObject({ phase: 'RollingOut', dependents: [expect.objectContaining({ state: 'Failed' })] });
    expect(step.status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ reason: 'RolloutFailed' });
    expect(step.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(step.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'RolloutFailed' })]);
  });

  it('should start the overlap once every dependent has rolled', () => {
    const o = observed({ ...key(), status: rotating('RollingOut', { dependents: [{ kind: 'Deployment', name: 'a', state: 'Rolling', startedAt: minutesAgo(1), message: 'x' }] }) },
      { policy, published: published2, dependents: [dep('a', 'complete')] });
    const step = ws(plan(o, NOW));
    expect(step.status.rotation).toMatchObject({ phase: 'Overlap', overlapEndsAt: new Date(NOW.getTime() + 10 * 60_000).toISOString() });
    expect(step.status.rotation?.dependents).toEqual([expect.objectContaining({ name: 'a', state: 'Rolled' })]);
    expect(step.events).toEqual([expect.objectContaining({ reason: 'RolledOut' })]);
  });

  it('should start the overlap at once without dependents', () => {
    const o = observed({ ...key(), status: rotating('RollingOut') }, { policy, published: published2, dependents: [] });
    expect(ws(plan(o, NOW)).status.rotation?.phase).toBe('Overlap');
  });
});

describe('overlap and revocation', () => {
  it('should keep both keys and arm a timer until the overlap ends', () => {
    const o = settled(observed({ ...key(), status: rotating('Overlap', { overlapEndsAt: new Date(NOW.getTime() + 90_000).toISOString() }) }, { policy, published: published2 }));
    expect(plan(o, NOW)).toEqual({ kind: 'Done', requeueAfterMs: 90_000 });
  });

  it('should move to Revoking when the overlap has ended', () => {
    const o = observed({ ...key(), status: rotating('Overlap', { overlapEndsAt: minutesAgo(0) }) }, { policy, published: published2 });
    expect(ws(plan(o, NOW)).status.rotation?.phase).toBe('Revoking');
  });

  it.each([
    { name: 'should load master credentials before revoking', extra: {}, step: 'LoadMaster' },
    { name: 'should revoke the old versions at the exchange', extra: { master: { kind: 'loaded' as const } }, step: 'RevokeOld' },
    { name: 'should drop the old version from the Secret once revoked', extra: { master: { kind: 'loaded' as const }, oldRevoked: true }, step: 'DropPrevious' },
  ])('$name', ({ extra, step }) => {
    const o = settled(observed({ ...key(), status: rotating('Revoking', { overlapEndsAt: minutesAgo(1) }) }, { policy, published: published2, ...extra }));
    expect(plan(o, NOW).kind).toBe(step);
  });

  it('should finish: old version Revoked, rotation cleared, Rotated Event', () => {
    const o = observed({ ...key(), status: rotating('Revoking', { overlapEndsAt: minutesAgo(1) }) },
      { policy, master: { kind: 'loaded' }, oldRevoked: true, published: { kind: 'present', version: 2, hasPrevious: false } });
    const step = ws(plan(o, NOW));
    expect(step.status.rotation).toBeUndefined();
    expect(step.status.keys?.find((k) => k.version === 1)).toMatchObject({ state: 'Revoked', revokedAt: NOW.toISOString() });
    expect(step.status.conditions?.find((c) => c.type === 'Rotating')).toBeUndefined();
    expect(step.events.map((e) => e.reason)).toEqual(['OldKeyRevoked', 'Rotated']);
  });
});

describe('the emergency path', () => {
  it('should revoke at once when a revoke token arrives during the overlap', () => {
    const k = { ...withAnnotations({ 'exkey.io/revoke': 'incident-9' }), status: rotating('Overlap', { overlapEndsAt: new Date(NOW.getTime() + 3600_000).toISOString() }) };
    const step = ws(plan(observed(k, { policy, published: published2 }), NOW));
    expect(step.status.rotation).toMatchObject({ phase: 'Revoking', emergency: true, reason: 'Emergency' });
    expect(step.status.lastRevokeToken).toBe('incident-9');
    expect(step.events).toEqual([expect.objectContaining({ type: 'Warning' })]);
  });

  it('should roll dependents after revoking when the emergency skipped them', () => {
    const status = rotating('Revoking', { emergency: true, reason: 'Emergency' });
    const o = observed({ ...key(), status }, { master: { kind: 'loaded' }, oldRevoked: true, published: { kind: 'present', version: 2, hasPrevious: false } });
    const step = ws(plan(o, NOW));
    expect(step.status.rotation?.phase).toBe('RollingOut');
    expect(step.status.keys?.find((k) => k.version === 1)?.state).toBe('Revoked');
  });

  it('should finish without an overlap once an emergency rollout is done', () => {
    const status: ExchangeKeyStatus = { ...rotating('RollingOut', { emergency: true, reason: 'Emergency' }) };
    status.keys = status.keys?.map((k) => (k.version === 1 ? { ...k, state: 'Revoked' as const } : k));
    const step = ws(plan(observed({ ...key(), status }, { published: { kind: 'present', version: 2, hasPrevious: false }, dependents: [dep('a', 'complete')] }), NOW));
    expect(step.status.rotation).toBeUndefined();
    expect(step.events.map((e) => e.reason)).toEqual(['Rotated']);
  });
});

describe('a published Secret changed by someone else', () => {
  const present = (rv: string): Observed['published'] => ({ kind: 'present', version: 1, hasPrevious: false, resourceVersion: rv, encrypted: true });

  it('should check the envelopes first when the Secret is not the version exkey wrote', () => {
    const o = settled(observed({ ...key(), status: { ...ready(1), secretResourceVersion: '100' } }, { published: present('101') }));
    expect(plan({ ...o, published: present('101') }, NOW)).toEqual({ kind: 'VerifyPublished' });
  });

  it('should not check a Secret exkey wrote itself', () => {
    const o = settled(observed({ ...key(), status: { ...ready(1), secretResourceVersion: '100' } }, { published: present('100') }));
    expect(plan(o, NOW)).toMatchObject({ kind: 'Done' });
  });

  it('should record the resourceVersion once the envelopes opened', () => {
    const o = observed({ ...key(), status: { ...ready(1), secretResourceVersion: '100' } }, { published: present('101'), publishedVerified: true });
    expect(ws(plan(o, NOW)).status.secretResourceVersion).toBe('101');
  });

  it('should report SecretTampered and rotate to a fresh key when the envelopes do not open', () => {
    const o = observed({ ...key(), status: ready(1) }, { published: { kind: 'tampered', version: 1, message: 'Secret mm was changed outside exkey and no longer opens: authentication failed' } });
    const step = ws(plan(o, NOW));
    expect(step.status.rotation).toMatchObject({ phase: 'Registering', version: 2, reason: 'SecretTampered' });
    expect(step.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SecretTampered' });
    expect(step.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'RotationStarted' })]);
  });
});
