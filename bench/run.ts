// npm run bench: how fast exkey issues keys on the local control plane, and that it is quiet when
// idle. The operator and the Bybit simulator run as real child processes (`exkey operator`,
// `exkey simulator bybit`); this process only creates ExchangeKeys and watches them.
//
//   npm run bench                      # all scenarios, targets from issue 2
//   npm run bench -- --keys 200        # smaller burst
//   npm run bench -- --json out.json   # also write the results as JSON
//
// The simulator runs with --no-rate-limits: Bybit allows 1 create per second per account, so
// with limits on, 1,000 keys would measure the venue's limit (about 17 minutes), not exkey.
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Watch } from '@kubernetes/client-node';
import { EXCHANGE_KEYS } from '../src/api/v1alpha1/index.ts';
import { loadKubeConfig } from '../src/cli/kubeconfig.ts';
import { KubeClient } from '../src/runtime/kube/client.ts';
import { collectionPath } from '../src/runtime/kube/paths.ts';
import { ReadyWatcher, WriteCounter, child, kubeRequests, percentile, report, withBenchCluster } from './support.ts';

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000' },
    single: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '32' },
    json: { type: 'string' },
  },
});
const NS = 'bench';
const MASTER = { apiKey: 'BENCHMASTERKEY0001', apiSecret: 'bench-master-secret-0123456789abcdef' };

function keyBody(name: string, endpoint: string): unknown {
  return {
    apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name },
    spec: {
      exchange: 'bybit', endpoint, account: '1001', masterCredentialsRef: { name: 'bybit-master' },
      permissions: ['read', 'trade'], ipAllowlist: ['127.0.0.1'],
    },
  };
}

async function main(kubeconfigPath: string, procs: ChildProcess[]): Promise<void> {
  const kc = loadKubeConfig(kubeconfigPath);
  const kube = new KubeClient(kc);
  await kube.send({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: NS } } });
  await kube.send({ method: 'POST', path: `/api/v1/namespaces/${NS}/secrets`, body: { metadata: { name: 'bybit-master' }, stringData: MASTER } });

  const sim = await child(['simulator', 'bybit', '--port', '0', '--master-key', MASTER.apiKey, '--master-secret', MASTER.apiSecret, '--no-rate-limits'], /listening on (http:\/\/\S+)/);
  procs.push(sim.proc);
  const endpoint = sim.match[1] ?? '';
  const operatorArgs = ['operator', '--kubeconfig', kubeconfigPath, '--namespace', NS, '--watch-namespaces', NS,
    '--health-port', '0', '--log-level', 'info', '--concurrency', values.concurrency,
    // The simulator runs without rate limits here (Bybit's 1 create/s would be all it measured), so
    // the operator must not pace to them either.
    '--exchange-pacing', 'off'];
  const started = /"port":(\d+)[^\n]*health and metrics server listening[\s\S]*exkey operator started/;
  let op = await child(operatorArgs, started);
  procs.push(op.proc);

  const watcher = new ReadyWatcher(new Watch(kc), collectionPath(EXCHANGE_KEYS, NS));
  await watcher.start();
  const create = (name: string): Promise<unknown> => kube.send({ method: 'POST', path: collectionPath(EXCHANGE_KEYS, NS), body: keyBody(name, endpoint) });

  // 1. One key at a time: create → Ready.
  const single: number[] = [];
  for (let i = 0; i < Number(values.single); i++) {
    const name = `single-${i}`;
    const t0 = performance.now();
    await create(name);
    single.push((await watcher.readyAt(name, 30_000)) - t0);
  }

  // 2. A burst: N keys applied at once; time until every one is Ready.
  const n = Number(values.keys);
  const names = Array.from({ length: n }, (_, i) => `burst-${i}`);
  const t0 = performance.now();
  const queue = [...names];
  await Promise.all(Array.from({ length: 50 }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) await create(name);
  }));
  const applied = performance.now() - t0;
  const readyTimes = await Promise.all(names.map((name) => watcher.readyAt(name, 300_000)));
  const burstMs = Math.max(...readyTimes) - t0;
  const requests = await kubeRequests(Number(op.match[1]));

  // 3. Idle: restart the operator with a 2 s resync, let it relist and resync 3 times, count writes.
  op.proc.kill('SIGTERM');
  await new Promise((resolve) => op.proc.once('exit', resolve));
  const counter = new WriteCounter(new Watch(kc), NS);
  await counter.start();
  op = await child([...operatorArgs, '--resync-seconds', '2'], started);
  procs.push(op.proc);
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  const idleWrites = counter.stop();
  watcher.stop();

  const results = {
    environment: { cores: (await import('node:os')).cpus().length, node: process.version, kubernetes: 'v1.36.3 (local control plane)' },
    singleKey: { samples: single.length, p50Ms: percentile(single, 50), p90Ms: percentile(single, 90), maxMs: Math.max(...single) },
    burst: { keys: n, applyMs: Math.round(applied), allReadyMs: Math.round(burstMs), keysPerSecond: Math.round((n / burstMs) * 1000) },
    kubeRequestsPerKey: Object.fromEntries([...requests].map(([k, v]) => [k, Math.round((v / (n + single.length)) * 100) / 100])),
    idle: { resyncs: 3, writes: idleWrites },
    targets: {
      singleKeyP50Under250ms: percentile(single, 50) < 250,
      thousandKeysReadyWithin20s: n < 1000 ? 'n/a (fewer keys)' : burstMs < 20_000,
      idleResyncWritesNothing: idleWrites.total === 0,
    },
  };
  report(results, values.json);
  await kube.close();
}

await withBenchCluster(main);
