// Rotation on the real local control plane, with kwok running the pods so rollouts really
// complete: zero-downtime rotation with an overlap, a stuck rollout, a rejected new key, the
// emergency path, and a blackout that defers a due rotation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVersionAnnotation } from '../../src/controllers/dependents/annotation.ts';
import type { KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { waitFor } from '../support/kube.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  // Rotations here are manual or blackout-driven; the interval is long enough never to fire.
  await h.createPolicy('fast', { interval: '30d', overlap: '3s', rollout: { progressDeadline: '4s', maxConcurrent: 2 } });
});

afterAll(async () => {
  await h.stop();
});

const accepted = (m: KeyMaterial): Promise<boolean> => h.accepts(m);

// The first successful delete the simulator answered after request number `mark`.
const firstDeleteAfter = (mark: number): { at: string } | undefined =>
  h.sim.state.recentRequests().slice(mark).find((r) => r.path === '/v5/user/delete-sub-api' && r.retCode === 0);

describe('rotation with a dependent Deployment', () => {
  it('should roll all pods to the new version, keep the old key valid until the overlap ends, then revoke it', async () => {
    await h.createDeployment('trader', { replicas: 3 });
    await h.createKey('mm', { rotationPolicyRef: { name: 'fast' }, dependents: [{ kind: 'Deployment', name: 'trader' }] });
    await h.waitForCondition('mm', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('mm');

    await h.annotate('mm', { 'exkey.io/rotate': 'r1' });
    const overlap = await waitFor(async () => {
      const k = await h.getKey('mm');
      return k?.status?.rotation?.phase === 'Overlap' ? k : undefined;
    }, { description: 'phase Overlap', timeoutMs: 60_000 });
    const mark = h.sim.state.recentRequests().length;
    // In the overlap both keys work, and the Secret carries both versions.
    const secret = await h.getSecret('mm');
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['envelope', 'previous.envelope', 'previous.version', 'version']);
    const v2 = await h.readMaterial('mm');
    expect(v2.version).toBe(2);
    expect(await accepted(v1)).toBe(true);
    expect(await accepted(v2)).toBe(true);
    const pods = await h.pods('trader');
    const annotation = keyVersionAnnotation('mm');
    expect(pods.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.annotations?.[annotation])).toEqual(['2', '2', '2']);

    const done = await h.waitForVersion('mm', 2);
    expect(await accepted(v1)).toBe(false);
    expect(await accepted(v2)).toBe(true);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    const revokedAt = firstDeleteAfter(mark)?.at ?? '';
    expect(Date.parse(revokedAt)).toBeGreaterThanOrEqual(Date.parse(overlap.status?.rotation?.overlapEndsAt ?? ''));
    expect(done.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
    expect(done.status?.lastRotateToken).toBe('r1');
    expect(Object.keys((await h.getSecret('mm'))?.data ?? {}).sort()).toEqual(['envelope', 'version']);
    const reasons = (await h.events('mm')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['RotationStarted', 'Published', 'RollingOut', 'RolledOut', 'OldKeyRevoked', 'Rotated']));
    // The token is acted on once: nothing more happens while it stays.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await h.getKey('mm'))?.status?.currentVersion).toBe(2);
  });
});

describe('a dependent that never becomes Ready', () => {
  it('should stop Degraded with a Warning Event and keep the old key valid', async () => {
    await h.createDeployment('broken', { replicas: 2, neverReady: true });
    await h.createKey('stuck', { rotationPolicyRef: { name: 'fast' }, dependents: [{ kind: 'Deployment', name: 'broken' }] });
    await h.waitForCondition('stuck', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('stuck');
    await h.annotate('stuck', { 'exkey.io/rotate': 'r1' });

    const degraded = await h.waitForCondition('stuck', { type: 'Degraded', status: 'True', reason: 'RolloutFailed' }, 60_000);
    expect(degraded.status?.rotation).toMatchObject({ phase: 'RollingOut', dependents: [expect.objectContaining({ name: 'broken', state: 'Failed' })] });
    expect(degraded.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const warning = (await h.events('stuck')).find((e) => e.reason === 'RolloutFailed');
    expect(warning?.type).toBe('Warning');
    expect(warning?.message).toContain('Deployment/broken');
    // Well past deadline and overlap: the old key is still valid and was never revoked.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await accepted(v1)).toBe(true);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(false);
    expect((await h.getKey('stuck'))?.status?.rotation?.phase).toBe('RollingOut');
  });
});

describe('a new key that fails validation', () => {
  it('should revoke the new key at the exchange and keep the old one current', async () => {
    await h.createKey('picky', { rotationPolicyRef: { name: 'fast' } });
    await h.waitForCondition('picky', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('picky');
    const before = new Set(h.sim.state.listKeys().map((k) => k.apiKey));
    const fault = h.sim.state.addFault({ kind: 'retCode', retCode: 10005, pathPrefix: '/v5/user/query-api' });
    await h.annotate('picky', { 'exkey.io/rotate': 'r1' });

    const degraded = await h.waitForCondition('picky', { type: 'Degraded', status: 'True', reason: 'ValidationFailed' }, 60_000);
    expect(degraded.status?.currentVersion).toBe(1);
    expect(degraded.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect((await h.readMaterial('picky')).apiKey).toBe(v1.apiKey);
    const created = h.sim.state.listKeys().filter((k) => !before.has(k.apiKey));
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.every((k) => k.deleted)).toBe(true);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(false);

    h.sim.state.clearFaults();
    expect(fault.id).toBeDefined();
    const done = await h.waitForVersion('picky', 2);
    expect(done.status?.conditions?.find((c) => c.type === 'Degraded')).toBeUndefined();
  });
});

describe('the emergency path', () => {
  it('should revoke the old key at once, without waiting for the rollout or the overlap, and record the token', async () => {
    await h.createPolicy('slow-overlap', { interval: '30d', overlap: '1h', rollout: { progressDeadline: '10m' } });
    await h.createDeployment('desk', { replicas: 3 });
    await h.createKey('leaked', { rotationPolicyRef: { name: 'slow-overlap' }, dependents: [{ kind: 'Deployment', name: 'desk' }] });
    await h.waitForCondition('leaked', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('leaked');

    await h.annotate('leaked', { 'exkey.io/revoke': 'incident-42' });
    const done = await h.waitForVersion('leaked', 2, 30_000);
    expect(await accepted(v1)).toBe(false);
    expect(done.status?.lastRevokeToken).toBe('incident-42');
    expect(done.status?.keys?.find((k) => k.version === 1)?.state).toBe('Revoked');
    const revoked = (await h.events('leaked')).find((e) => e.reason === 'OldKeyRevoked');
    expect(revoked?.type).toBe('Warning');
    const annotation = keyVersionAnnotation('leaked');
    await waitFor(async () => (await h.pods('desk')).filter((p) => !p.metadata?.deletionTimestamp).every((p) => p.metadata?.annotations?.[annotation] === '2'), {
      description: 'desk pods on version 2',
    });
  });
});

describe('a blackout window', () => {
  it('should defer a due rotation until the blackout ends', async () => {
    // Due 4 s after issue; a blackout from +1 s to +9 s holds it back.
    const start = new Date(Date.now() + 1000);
    const hhmmss = start.toISOString().slice(11, 19);
    await h.createPolicy('blackout', { interval: '4s', overlap: '1s', blackouts: [{ name: 'funding', start: hhmmss, duration: '8s' }] });
    await h.createKey('calm', { rotationPolicyRef: { name: 'blackout' } });
    const ready = await h.waitForCondition('calm', { type: 'Ready', status: 'True' });
    const blackoutEnd = new Date(start.getTime() + 8000);
    const issuedAt = Date.parse(ready.status?.lastRotationTime ?? '');
    expect(issuedAt + 4000).toBeLessThan(blackoutEnd.getTime());
    const scheduled = await waitFor(async () => (await h.getKey('calm'))?.status?.nextRotationTime, { description: 'nextRotationTime' });
    expect(Date.parse(scheduled)).toBe(Math.floor(blackoutEnd.getTime() / 1000) * 1000);

    const rotated = await h.waitForVersion('calm', 2, 30_000);
    const startedAt = (await h.events('calm')).find((e) => e.reason === 'RotationStarted')?.firstTimestamp;
    expect(Date.parse(String(startedAt))).toBeGreaterThanOrEqual(Math.floor(blackoutEnd.getTime() / 1000) * 1000);
    expect(rotated.status?.keys?.find((k) => k.version === 1)?.state).toBe('Revoked');
    await h.kube.send({ method: 'DELETE', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/calm` });
  });
});

describe('rotations the platform team does not ask for explicitly', () => {
  it('should rotate to a key with the new permissions when the spec changes', async () => {
    await h.createKey('grows', { rotationPolicyRef: { name: 'fast' }, permissions: ['read', 'trade:spot'] });
    await h.waitForCondition('grows', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('grows');
    expect(h.sim.state.getKey(v1.apiKey)?.permissions).toMatchObject({ Spot: ['SpotTrade'] });
    await h.kube.send({
      method: 'PATCH', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/grows`,
      patchType: 'merge', body: { spec: { permissions: ['read', 'trade'] } },
    });
    const done = await h.waitForVersion('grows', 2);
    const v2 = await h.readMaterial('grows');
    expect(h.sim.state.getKey(v2.apiKey)?.permissions).toMatchObject({ Spot: ['SpotTrade'], ContractTrade: ['Order', 'Position'], Options: ['OptionsTrade'] });
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    expect((await h.events('grows')).find((e) => e.reason === 'RotationStarted')?.message).toContain('SpecChanged');
    expect(done.status?.observedGeneration).toBe(2);
  });

  it('should issue a new version when the Secret is deleted, and revoke the old key after the overlap', async () => {
    await h.createKey('lost', { rotationPolicyRef: { name: 'fast' } });
    await h.waitForCondition('lost', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('lost');
    await h.kube.send({ method: 'DELETE', path: `/api/v1/namespaces/${h.namespace}/secrets/lost` });
    await h.waitForVersion('lost', 2);
    const v2 = await h.readMaterial('lost');
    expect(v2.apiKey).not.toBe(v1.apiKey);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    expect((await h.events('lost')).find((e) => e.reason === 'RotationStarted')?.message).toContain('SecretLost');
  });
});

describe('secret hygiene across rotations', () => {
  it('should never log or record any key material', async () => {
    for (const name of ['mm', 'picky', 'leaked']) {
      const m = await h.readMaterial(name);
      const status = JSON.stringify((await h.getKey(name))?.status);
      const events = JSON.stringify(await h.events(name));
      for (const s of secretsOf(m)) {
        expect(h.logs.join('\n')).not.toContain(s);
        expect(status).not.toContain(s);
        expect(events).not.toContain(s);
      }
    }
  });
});
