// npm run bench (second part): what a rotation costs beyond what it must wait for. For each of N
// sequential manual rotations of a key whose dependent is a 3-replica Deployment:
//   total    = annotation set → rotation complete (old key revoked)
//   rollout  = the Deployment's new generation → its rollout complete (watched directly)
//   overlap  = the policy's overlap window
//   overhead = total − rollout − overlap        (target: under 2 s)
// and the Kubernetes API writes the operator made for it, read from its /metrics.
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Watch } from '@kubernetes/client-node';
import type { ExchangeKey } from '../src/api/v1alpha1/index.ts';
import { loadKubeConfig } from '../src/cli/kubeconfig.ts';
import { KubeClient } from '../src/runtime/kube/client.ts';
import { child, kubeRequests, percentile, report, withBenchCluster } from './support.ts';

const { values } = parseArgs({ options: { rotations: { type: 'string', default: '10' }, json: { type: 'string' } } });
const NS = 'bench';
const OVERLAP_MS = 2000;
const MASTER = { apiKey: 'BENCHMASTERKEY0002', apiSecret: 'bench-master-secret-abcdef0123456789' };
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Writes the operator has made so far, by resource. */
async function writes(port: number): Promise<Map<string, number>> {
  const byResource = new Map<string, number>();
  for (const [id, count] of await kubeRequests(port)) {
    const [verb = '', resource = ''] = id.split(' ');
    if (WRITES.has(verb)) byResource.set(resource, (byResource.get(resource) ?? 0) + count);
  }
  return byResource;
}

function diff(after: Map<string, number>, before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) out[k] = v - (before.get(k) ?? 0);
  return out;
}

/** Resolves when `predicate` holds for an object seen on the watch of `path`. */
async function watchUntil<T>(watch: Watch, path: string, predicate: (obj: T) => boolean): Promise<{ at: number; obj: T }> {
  return new Promise((resolve, reject) => {
    let abort: AbortController | undefined;
    const timer = setTimeout(() => { abort?.abort(); reject(new Error(`timeout watching ${path}`)); }, 120_000);
    void watch.watch(path, {}, (_type, obj: T) => {
      if (!predicate(obj)) return;
      clearTimeout(timer);
      abort?.abort();
      resolve({ at: performance.now(), obj });
    }, () => undefined).then((a) => { abort = a; });
  });
}

async function main(kubeconfigPath: string, procs: ChildProcess[]): Promise<void> {
  const kc = loadKubeConfig(kubeconfigPath);
  const kube = new KubeClient(kc);
  const watch = new Watch(kc);
  const post = (path: string, body: unknown): Promise<unknown> => kube.send({ method: 'POST', path, body });
  await post('/api/v1/namespaces', { metadata: { name: NS } });
  await post(`/api/v1/namespaces/${NS}/secrets`, { metadata: { name: 'bybit-master' }, stringData: MASTER });
  await post(`/apis/exkey.io/v1alpha1/namespaces/${NS}/rotationpolicies`, { apiVersion: 'exkey.io/v1alpha1', kind: 'RotationPolicy', metadata: { name: 'bench' }, spec: { interval: '30d', overlap: '2s' } });
  await post(`/apis/apps/v1/namespaces/${NS}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'trader' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'trader' } }, template: { metadata: { labels: { app: 'trader' } }, spec: { containers: [{ name: 't', image: 't' }] } } },
  });
  const sim = await child(['simulator', 'bybit', '--port', '0', '--master-key', MASTER.apiKey, '--master-secret', MASTER.apiSecret, '--no-rate-limits'], /listening on (http:\/\/\S+)/);
  procs.push(sim.proc);
  const op = await child(['operator', '--kubeconfig', kubeconfigPath, '--namespace', NS, '--watch-namespaces', NS, '--health-port', '0', '--log-level', 'info'],
    /"port":(\d+)[^\n]*health and metrics server listening[\s\S]*exkey operator started/);
  procs.push(op.proc);
  const port = Number(op.match[1]);
  const keyPath = `/apis/exkey.io/v1alpha1/namespaces/${NS}/exchangekeys`;
  await post(keyPath, {
    apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name: 'mm' },
    spec: { exchange: 'bybit', endpoint: sim.match[1], account: '1001', masterCredentialsRef: { name: 'bybit-master' }, permissions: ['read', 'trade'], ipAllowlist: ['127.0.0.1'], rotationPolicyRef: { name: 'bench' }, dependents: [{ kind: 'Deployment', name: 'trader' }] },
  });
  await watchUntil<ExchangeKey>(watch, keyPath, (k) => k.status?.currentVersion === 1 && !k.status.rotation);

  const samples: { totalMs: number; rolloutMs: number; overheadMs: number; writes: Record<string, number> }[] = [];
  for (let i = 0; i < Number(values.rotations); i++) {
    const version = i + 2;
    const before = await writes(port);
    const genBefore = ((await kube.send<{ metadata: { generation: number } }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${NS}/deployments/trader` })).metadata.generation);
    const rollStart = watchUntil<{ metadata: { generation: number } }>(watch, `/apis/apps/v1/namespaces/${NS}/deployments`, (d) => d.metadata.generation > genBefore);
    const rollDone = watchUntil<{ metadata: { generation: number }; status?: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number; replicas?: number } }>(
      watch, `/apis/apps/v1/namespaces/${NS}/deployments`,
      (d) => d.metadata.generation > genBefore && (d.status?.observedGeneration ?? 0) >= d.metadata.generation && d.status?.updatedReplicas === 3 && d.status.availableReplicas === 3 && d.status.replicas === 3,
    );
    const done = watchUntil<ExchangeKey>(watch, keyPath, (k) => k.status?.currentVersion === version && !k.status.rotation);
    const t0 = performance.now();
    await kube.send({ method: 'PATCH', path: `${keyPath}/mm`, patchType: 'merge', body: { metadata: { annotations: { 'exkey.io/rotate': `bench-${version}` } } } });
    const [started, finished, end] = await Promise.all([rollStart, rollDone, done]);
    const totalMs = end.at - t0;
    const rolloutMs = finished.at - started.at;
    samples.push({ totalMs, rolloutMs, overheadMs: totalMs - rolloutMs - OVERLAP_MS, writes: diff(await writes(port), before) });
  }
  const overhead = samples.map((s) => s.overheadMs);
  const totalWrites = samples.map((s) => Object.values(s.writes).reduce((a, b) => a + b, 0));
  const results = {
    rotations: samples.length,
    overlapMs: OVERLAP_MS,
    totalMs: { p50: percentile(samples.map((s) => s.totalMs), 50), max: Math.round(Math.max(...samples.map((s) => s.totalMs))) },
    rolloutMs: { p50: percentile(samples.map((s) => s.rolloutMs), 50) },
    overheadMs: { p50: percentile(overhead, 50), max: Math.round(Math.max(...overhead)) },
    kubeWritesPerRotation: { p50: percentile(totalWrites, 50), byResource: samples[samples.length - 1]?.writes },
    targets: { overheadUnder2s: Math.max(...overhead) < 2000 },
  };
  report(results, values.json);
  await kube.close();
}

await withBenchCluster(main);
