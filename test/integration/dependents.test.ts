// The dependent-workload module on a real control plane: kwok makes pods Ready, except pods
// labelled exkey.io/test-readiness=never, which run but never pass readiness (src/localenv/stages).
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keyVersionAnnotation } from '../../src/controllers/dependents/annotation.ts';
import { rolloutStatus, type RolloutStatus } from '../../src/controllers/dependents/rollout.ts';
import { getWorkload, resolveDependents, rollWorkload, type Workload, type WorkloadKind, type WorkloadRef } from '../../src/controllers/dependents/workloads.ts';
import { testReadinessLabel } from '../../src/localenv/index.ts';
import { KubeClient } from '../../src/runtime/kube/client.ts';
import { createTestNamespace, kubeConfigFromPath, waitFor, type TestNamespace } from '../support/kube.ts';

const kc = kubeConfigFromPath(inject('kubeconfigPath'));
const kube = new KubeClient(kc);
const KEY = keyVersionAnnotation('bybit-mm');
const plurals: Record<WorkloadKind, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

let ns: TestNamespace;
beforeAll(async () => { ns = await createTestNamespace(kc, 'dependents'); });
afterAll(async () => {
  await ns.cleanup();
  await kube.close();
});

interface WorkloadOptions {
  replicas?: number;
  labels?: Record<string, string>;
  /** Key version on the pod template at creation (as if rolled before). */
  version?: number;
  spec?: Record<string, unknown>;
}

function manifest(kind: WorkloadKind, name: string, o: WorkloadOptions): Record<string, unknown> {
  const podLabels = { app: name };
  const spec: Record<string, unknown> = {
    selector: { matchLabels: podLabels },
    template: {
      metadata: { labels: podLabels, annotations: o.version === undefined ? {} : { [KEY]: String(o.version) } },
      spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], terminationGracePeriodSeconds: 0 },
    },
    ...(kind === 'DaemonSet' ? {} : { replicas: o.replicas ?? 1 }),
    ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
    ...o.spec,
  };
  return { apiVersion: 'apps/v1', kind, metadata: { name, namespace: ns.name, labels: o.labels ?? {} }, spec };
}

async function create(kind: WorkloadKind, name: string, o: WorkloadOptions = {}): Promise<WorkloadRef> {
  await kube.send({ method: 'POST', path: `/apis/apps/v1/namespaces/${ns.name}/${plurals[kind]}`, body: manifest(kind, name, o) });
  return { kind, name };
}

async function patch(ref: WorkloadRef, body: unknown): Promise<void> {
  await kube.send({ method: 'PATCH', path: `/apis/apps/v1/namespaces/${ns.name}/${plurals[ref.kind]}/${ref.name}`, body, patchType: 'merge' });
}

async function read(ref: WorkloadRef): Promise<Workload> {
  const w = await getWorkload(kube, ns.name, ref.kind, ref.name);
  if (!w) throw new Error(`${ref.kind}/${ref.name} not found`);
  return w;
}

/** Polls until the rollout to `version` is complete; returns every distinct status seen on the way. */
async function untilComplete(ref: WorkloadRef, version: number): Promise<RolloutStatus[]> {
  const seen: RolloutStatus[] = [];
  await waitFor(async (observe) => {
    const status = rolloutStatus(await read(ref), KEY, version);
    if (seen.at(-1)?.message !== status.message) seen.push(status);
    observe(status);
    return status.state === 'complete';
  }, { timeoutMs: 60_000, intervalMs: 100, description: `${ref.kind}/${ref.name} rolled out to key version ${version}` });
  return seen;
}

async function podsOf(app: string): Promise<V1Pod[]> {
  const list = await kube.send<{ items: V1Pod[] }>({ method: 'GET', path: `/api/v1/namespaces/${ns.name}/pods`, query: { labelSelector: `app=${app}` } });
  return list.items;
}

const ready = (pod: V1Pod): boolean => pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

describe('rolling dependents', () => {
  it('should roll a 3-replica Deployment through progressing to complete, with every pod on the new version', async () => {
    const ref = await create('Deployment', 'web', { replicas: 3, version: 1 });
    await untilComplete(ref, 1);

    const rolled = await rollWorkload(kube, ns.name, ref, { annotationKey: KEY, version: 2 });
    expect(rolled.object.spec?.template.metadata?.annotations?.[KEY]).toBe('2');
    expect(rolled.object.metadata?.generation).toBe(2);
    // The patch's answer carries the old status: the controller has not seen generation 2 yet.
    expect(rolloutStatus(rolled, KEY, 2)).toMatchObject({ state: 'progressing', message: expect.stringContaining('observe generation 2') });

    const seen = await untilComplete(ref, 2);
    expect(seen.at(-1)).toEqual({ state: 'complete', reason: 'RolloutComplete', message: 'all 3 replicas updated and available' });
    const pods = await podsOf('web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata?.annotations?.[KEY]).toBe('2');
      expect(ready(pod)).toBe(true);
    }
  });

  it('should not create a new generation when rolled again to the same version', async () => {
    const ref: WorkloadRef = { kind: 'Deployment', name: 'web' };
    const before = await read(ref);
    const again = await rollWorkload(kube, ns.name, ref, { annotationKey: KEY, version: 2 });
    expect(again.object.metadata?.generation).toBe(before.object.metadata?.generation);
    expect(again.object.metadata?.resourceVersion).toBe(before.object.metadata?.resourceVersion);
    expect(rolloutStatus(again, KEY, 2).state).toBe('complete');
  });

  it('should stay progressing, say why, and keep the old pods when the new pods never become Ready', async () => {
    // Progress deadline of 5 s, so the controller gives up and the message says so.
    const ref = await create('Deployment', 'stuck', { replicas: 3, version: 1, spec: { progressDeadlineSeconds: 5 } });
    await untilComplete(ref, 1);
    // The new release's pods fail readiness: the label rides with the key-version change (paused
    // so both land in one new ReplicaSet).
    await patch(ref, { spec: { paused: true, template: { metadata: { labels: { [testReadinessLabel.key]: testReadinessLabel.never } } } } });
    await rollWorkload(kube, ns.name, ref, { annotationKey: KEY, version: 2 });
    await patch(ref, { spec: { paused: false } });

    const newPod = await waitFor(async () => (await podsOf('stuck')).find((p) => p.metadata?.annotations?.[KEY] === '2' && p.status?.phase === 'Running'),
      { timeoutMs: 30_000, description: 'a pod of the new template Running' });
    expect(ready(newPod)).toBe(false);
    expect(newPod.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true, state: { running: expect.anything() } });

    const states = new Set<string>();
    const deadline = await waitFor(async (observe) => {
      const status = rolloutStatus(await read(ref), KEY, 2);
      observe(status);
      states.add(status.state);
      return status.reason === 'ProgressDeadlineExceeded' ? status : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, description: 'the Deployment controller to report the progress deadline' });
    expect([...states]).toEqual(['progressing']);
    expect(deadline.message).toBe('rollout exceeded its progress deadline: 1 of 3 replicas updated; 3 available, 1 unavailable, 3 old replicas still running');

    const pods = await podsOf('stuck');
    const old = pods.filter((p) => p.metadata?.annotations?.[KEY] === '1');
    expect(old).toHaveLength(3);
    for (const pod of old) expect(ready(pod)).toBe(true);
    expect(pods.filter((p) => p.metadata?.annotations?.[KEY] === '2').every((p) => !ready(p))).toBe(true);
  });

  it('should resolve dependents by selector to the matching workloads only and report a missing named one', async () => {
    await create('Deployment', 'mm-a', { replicas: 0, labels: { team: 'mm', tier: 'a' } });
    await create('Deployment', 'mm-b', { replicas: 0, labels: { team: 'mm', tier: 'b' } });
    await create('Deployment', 'mm-legacy', { replicas: 0, labels: { team: 'mm', tier: 'a', legacy: 'true' } });
    await create('Deployment', 'risk', { replicas: 0, labels: { team: 'risk', tier: 'a' } });
    await create('StatefulSet', 'mm-db', { replicas: 0, labels: { team: 'mm', tier: 'a' } });

    const { workloads, missing } = await resolveDependents(kube, ns.name, [
      { kind: 'Deployment', selector: { matchLabels: { team: 'mm' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }] } },
      { kind: 'Deployment', name: 'mm-a' },
      { kind: 'Deployment', name: 'mm-gone' },
    ]);
    expect(workloads.map((w) => `${w.kind}/${w.name}`)).toEqual(['Deployment/mm-a', 'Deployment/mm-b']);
    expect(workloads[0]?.object.metadata?.labels).toMatchObject({ team: 'mm', tier: 'a' });
    expect(missing).toEqual([{ kind: 'Deployment', name: 'mm-gone' }]);
  });

  it('should roll a StatefulSet to complete', async () => {
    const ref = await create('StatefulSet', 'db', { replicas: 2, version: 1 });
    await untilComplete(ref, 1);
    await rollWorkload(kube, ns.name, ref, { annotationKey: KEY, version: 2 });
    const seen = await untilComplete(ref, 2);
    expect(seen.some((s) => s.state === 'progressing')).toBe(true);
    expect(seen.at(-1)?.message).toBe('all 2 pods updated and ready');
    const pods = await podsOf('db');
    expect(pods.map((p) => p.metadata?.annotations?.[KEY])).toEqual(['2', '2']);
  });

  it('should roll a DaemonSet on both kwok nodes to complete', async () => {
    const ref = await create('DaemonSet', 'agent', { version: 1 });
    await untilComplete(ref, 1);
    await rollWorkload(kube, ns.name, ref, { annotationKey: KEY, version: 2 });
    const seen = await untilComplete(ref, 2);
    expect(seen.some((s) => s.state === 'progressing')).toBe(true);
    expect(seen.at(-1)?.message).toBe('updated pods available on all 2 nodes');
    const pods = await podsOf('agent');
    expect(pods).toHaveLength(2);
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(2);
    for (const pod of pods) expect(pod.metadata?.annotations?.[KEY]).toBe('2');
  });
});
