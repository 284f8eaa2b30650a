// resolveDependents / getWorkload / rollWorkload against a fake KubeTransport: which requests they
// make and how they read the answers.
import { describe, expect, it } from 'vitest';
import { getWorkload, resolveDependents, rollWorkload } from '../../../../src/controllers/dependents/workloads.ts';
import type { KubeRequest, KubeTransport } from '../../../../src/runtime/kube/client.ts';
import { KubeApiError } from '../../../../src/runtime/kube/errors.ts';

type Answer = (req: KubeRequest) => unknown;

// Answers by "METHOD path"; anything unexpected is a 404, as from the API server.
function fakeKube(answers: Record<string, Answer>): KubeTransport & { requests: KubeRequest[] } {
  const requests: KubeRequest[] = [];
  return {
    requests,
    send<T>(req: KubeRequest): Promise<T> {
      requests.push(req);
      const answer = answers[`${req.method} ${req.path}`];
      if (!answer) return Promise.reject(new KubeApiError(404, { reason: 'NotFound', message: `${req.path} not found` }, `${req.method} ${req.path}`));
      return Promise.resolve(answer(req) as T);
    },
  };
}

const obj = (name: string): unknown => ({ metadata: { name, namespace: 'ns' }, spec: { template: { metadata: {} } } });
const base = '/apis/apps/v1/namespaces/ns';

describe('resolveDependents', () => {
  it('should read named workloads, list selected ones, de-duplicate and sort them, and report missing names', async () => {
    const kube = fakeKube({
      [`GET ${base}/deployments/web`]: () => obj('web'),
      [`GET ${base}/deployments`]: () => ({ items: [obj('web'), obj('api')] }),
      [`GET ${base}/daemonsets`]: () => ({ items: [obj('agent')] }),
    });
    const result = await resolveDependents(kube, 'ns', [
      { kind: 'Deployment', name: 'web' },
      { kind: 'Deployment', selector: { matchLabels: { app: 'mm' }, matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] } },
      { kind: 'StatefulSet', name: 'gone' },
      { kind: 'StatefulSet', name: 'gone' },
      { kind: 'DaemonSet', selector: { matchLabels: { role: 'agent' } } },
    ]);
    expect(result.workloads.map((w) => `${w.kind}/${w.name}`)).toEqual(['DaemonSet/agent', 'Deployment/api', 'Deployment/web']);
    expect(result.missing).toEqual([{ kind: 'StatefulSet', name: 'gone' }]);
    const lists = kube.requests.filter((r) => r.query !== undefined);
    expect(lists.map((r) => [r.path, r.query?.labelSelector])).toEqual([
      [`${base}/deployments`, 'app=mm,!legacy'],
      [`${base}/daemonsets`, 'role=agent'],
    ]);
  });

  it('should list every workload of the kind when the selector is empty, as Kubernetes does', async () => {
    const kube = fakeKube({ [`GET ${base}/statefulsets`]: () => ({ items: [obj('db')] }) });
    const result = await resolveDependents(kube, 'ns', [{ kind: 'StatefulSet', selector: {} }]);
    expect(result.workloads.map((w) => w.name)).toEqual(['db']);
    expect(kube.requests[0]?.query).toEqual({ labelSelector: undefined });
  });

  it('should not report a selector that matches nothing as missing', async () => {
    const kube = fakeKube({ [`GET ${base}/deployments`]: () => ({ items: [] }) });
    expect(await resolveDependents(kube, 'ns', [{ kind: 'Deployment', selector: { matchLabels: { app: 'none' } } }])).toEqual({ workloads: [], missing: [] });
  });

  it('should throw API failures other than 404', async () => {
    const kube: KubeTransport = { send: () => Promise.reject(new KubeApiError(403, { reason: 'Forbidden' }, 'GET x')) };
    await expect(resolveDependents(kube, 'ns', [{ kind: 'Deployment', name: 'web' }])).rejects.toThrow(/Forbidden/);
  });
});

describe('getWorkload', () => {
  it('should return undefined for a workload that does not exist', async () => {
    expect(await getWorkload(fakeKube({}), 'ns', 'DaemonSet', 'agent')).toBeUndefined();
  });

  it('should escape names in the path', async () => {
    const kube = fakeKube({});
    await getWorkload(kube, 'n s', 'Deployment', 'a/b');
    expect(kube.requests[0]?.path).toBe('/apis/apps/v1/namespaces/n%20s/deployments/a%2Fb');
  });
});

describe('rollWorkload', () => {
  it('should merge-patch only the key-version annotation of the pod template, as a string', async () => {
    const kube = fakeKube({ [`PATCH ${base}/statefulsets/db`]: () => obj('db') });
    const rolled = await rollWorkload(kube, 'ns', { kind: 'StatefulSet', name: 'db' }, { annotationKey: 'key-version.exkey.io/k', version: 7 });
    expect(rolled).toMatchObject({ kind: 'StatefulSet', name: 'db' });
    expect(kube.requests).toEqual([{
      method: 'PATCH', path: `${base}/statefulsets/db`, patchType: 'merge',
      body: { spec: { template: { metadata: { annotations: { 'key-version.exkey.io/k': '7' } } } } },
    }]);
  });

  it('should fail with a 404 when the workload does not exist', async () => {
    await expect(rollWorkload(fakeKube({}), 'ns', { kind: 'Deployment', name: 'x' }, { annotationKey: 'k', version: 1 }))
      .rejects.toMatchObject({ statusCode: 404 });
  });
});
