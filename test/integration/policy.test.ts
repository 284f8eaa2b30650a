// RotationPolicy on the real control plane: its status reports validity, governed keys and the
// next rotation, and its maxConcurrent holds across keys rotating at the same time.
import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeKey, RotationPolicy } from '../../src/api/v1alpha1/index.ts';
import { waitFor } from '../support/kube.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

const getPolicy = (name: string): Promise<RotationPolicy> =>
  h.kube.send<RotationPolicy>({ method: 'GET', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/rotationpolicies/${name}` });

describe('RotationPolicy status', () => {
  it('should count governed keys and show the earliest next rotation', async () => {
    await h.createPolicy('weekly', { schedule: { cron: '0 6 * * 1', timeZone: 'Europe/London' }, overlap: '1m' });
    await h.createKey('a', { rotationPolicyRef: { name: 'weekly' } });
    await h.createKey('b', { rotationPolicyRef: { name: 'weekly' } });
    const policy = await waitFor(async () => {
      const p = await getPolicy('weekly');
      return p.status?.keyCount === 2 && p.status.nextRotationTime ? p : undefined;
    }, { description: 'weekly governs 2 keys with a next rotation' });
    expect(policy.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Valid' });
    const a = await h.waitForCondition('a', { type: 'Ready', status: 'True' });
    // Next Monday 06:00 London after issue, and the key says the same.
    expect(new Date(a.status?.nextRotationTime ?? '').getUTCDay()).toBe(1);
    expect(policy.status?.nextRotationTime).toBe(a.status?.nextRotationTime);
  });

  it('should be Ready=False, naming the field, when its cron does not parse', async () => {
    await h.createPolicy('broken', { schedule: { cron: '61 25 * * *' } });
    const policy = await waitFor(async () => {
      const p = await getPolicy('broken');
      return p.status?.conditions?.length ? p : undefined;
    }, { description: 'broken has a condition' });
    expect(policy.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(policy.status?.conditions?.[0]?.message).toContain('spec.schedule.cron');
  });

  it('should report a missing policy on the key as Degraded, keeping it Ready', async () => {
    await h.createKey('orphan-policy', { rotationPolicyRef: { name: 'nope' } });
    // The key is issued regardless (Degraded may show before the first version is out).
    const key = await h.waitForCondition('orphan-policy', { type: 'Ready', status: 'True' });
    expect(key.status?.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'PolicyNotFound' });
  });
});

describe('rollout throttling', () => {
  it('should never roll more dependents at once than the policy allows, across keys', async () => {
    await h.createPolicy('one-at-a-time', { interval: '30d', overlap: '1s', rollout: { maxConcurrent: 1 } });
    for (const n of ['x', 'y', 'z']) {
      await h.createDeployment(`desk-${n}`, { replicas: 3 });
      await h.createKey(`key-${n}`, { rotationPolicyRef: { name: 'one-at-a-time' }, dependents: [{ kind: 'Deployment', name: `desk-${n}` }] });
    }
    for (const n of ['x', 'y', 'z']) await h.waitForCondition(`key-${n}`, { type: 'Ready', status: 'True' });

    // Every status change of the three keys, as it happens.
    const rolling = new Map<string, number>();
    let maxConcurrent = 0;
    const abort = await new Watch(h.kc).watch(`/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys`, {}, (_t, key: ExchangeKey) => {
      rolling.set(key.metadata.name, (key.status?.rotation?.dependents ?? []).filter((d) => d.state === 'Rolling').length);
      maxConcurrent = Math.max(maxConcurrent, [...rolling.values()].reduce((a, b) => a + b, 0));
    }, () => undefined);
    await Promise.all(['x', 'y', 'z'].map((n) => h.annotate(`key-${n}`, { 'exkey.io/rotate': 'now' })));
    for (const n of ['x', 'y', 'z']) await h.waitForVersion(`key-${n}`, 2, 90_000);
    abort.abort();
    expect(maxConcurrent).toBe(1);
  });
});
