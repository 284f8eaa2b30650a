// npm run bench (third part): the cost of encrypted Secrets.
//   client get()           median per call (target: under 1 µs)
//   envelope open (local)  median (target: under 1 ms)
//   KMS calls per key version, counted at a proxy in front of a real AWS-protocol server (moto)
//   while a real `exkey operator` issues and rotates a key and a consumer starts:
//   target: one wrap per version (operator), one unwrap per consumer start.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Watch } from '@kubernetes/client-node';
import type { ExchangeKey } from '../src/api/v1alpha1/index.ts';
import { loadKubeConfig } from '../src/cli/kubeconfig.ts';
import { openExchangeKey } from '../src/client/index.ts';
import { createLocalProvider, newMasterKeyRing, openEnvelope, providersByName, sealEnvelope } from '../src/crypto/index.ts';
import { createAwsKmsUnwrapper, kmsClient } from '../src/crypto/providers/aws-kms.ts';
import { KubeClient } from '../src/runtime/kube/client.ts';
import { createSecretVolume } from '../test/support/secret-volume.ts';
import { createKmsKey, startMoto, MOTO_CLIENT_CONFIG } from '../test/support/moto.ts';
import { child, percentile, report, withBenchCluster, type Child } from './support.ts';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const NS = 'bench';
const MASTER = { apiKey: 'BENCHMASTERKEY0003', apiSecret: 'bench-master-secret-fedcba9876543210' };
const material = { version: 1, exchange: 'bybit', apiKey: 'K'.repeat(18), apiSecret: 'S'.repeat(36), createdAt: '2026-01-01T00:00:00Z' };

/** Median ns per get() over batches. */
async function clientGet(): Promise<number> {
  const ring = newMasterKeyRing();
  const envelope = await sealEnvelope(Buffer.from(JSON.stringify(material)), { namespace: NS, name: 'mm', version: 1 }, createLocalProvider(ring));
  const dir = mkdtempSync(join(tmpdir(), 'exkey-bench-vol-'));
  const b64 = (t: string): string => Buffer.from(t).toString('base64');
  const volume = await createSecretVolume(join(dir, 'vol'), { version: b64('1'), envelope: b64(envelope) });
  const handle = await openExchangeKey({ dir: volume.dir, namespace: NS, secretName: 'mm', unwrappers: [createLocalProvider(ring)] });
  const perCall: number[] = [];
  let sink = 0;
  for (let batch = 0; batch < 30; batch++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) sink += handle.get().version;
    perCall.push(Number(process.hrtime.bigint() - t0) / 100_000);
  }
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
  if (sink === 0) throw new Error('unreachable');
  return percentile(perCall, 50);
}

/** Median µs to open one local envelope. */
async function localOpen(): Promise<number> {
  const provider = createLocalProvider(newMasterKeyRing());
  const context = { namespace: NS, name: 'mm', version: 1 };
  const envelope = await sealEnvelope(Buffer.from(JSON.stringify(material)), context, provider);
  const lookup = providersByName([provider]);
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    (await openEnvelope(envelope, context, lookup)).fill(0);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return percentile(times, 50);
}

/** A pass-through proxy to moto that counts KMS operations (X-Amz-Target). */
async function countingProxy(target: string): Promise<{ url: string; counts: Map<string, number>; server: Server }> {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    counts.set(op, (counts.get(op) ?? 0) + 1);
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, server };
}

async function waitKey(watch: Watch, path: string, done: (k: ExchangeKey) => boolean, op: Child): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let abort: AbortController | undefined;
    const timer = setTimeout(() => { abort?.abort(); reject(new Error(`key not done after 60 s; operator said:\n${op.output().slice(-3000)}`)); }, 60_000);
    void watch.watch(path, {}, (_t, k: ExchangeKey) => {
      if (!done(k)) return;
      clearTimeout(timer);
      abort?.abort();
      resolve();
    }, () => undefined).then((a) => { abort = a; });
  });
}

type Counts = Record<string, number>;
interface KmsCalls { issueFirstVersion: Counts; rotationToVersion2: Counts; consumerStartAnd100kReads: Counts }

/** Exactly these operations, once each: anything more (or less) misses the target. */
function exactly(counts: Counts, op: string): boolean {
  return Object.keys(counts).length === 1 && counts[op] === 1;
}

async function kmsCalls(kubeconfigPath: string, procs: ChildProcess[]): Promise<KmsCalls> {
  const moto = await startMoto();
  const proxy = await countingProxy(moto.endpoint);
  try {
    const keyArn = await createKmsKey(kmsClient(moto.clientConfig));
    const kube = new KubeClient(loadKubeConfig(kubeconfigPath));
    const post = (path: string, body: unknown): Promise<unknown> => kube.send({ method: 'POST', path, body });
    await post('/api/v1/namespaces', { metadata: { name: NS } });
    await post(`/api/v1/namespaces/${NS}/secrets`, { metadata: { name: 'bybit-master' }, stringData: MASTER });
    const sim = await child(['simulator', 'bybit', '--port', '0', '--master-key', MASTER.apiKey, '--master-secret', MASTER.apiSecret, '--no-rate-limits'], /listening on (http:\/\/\S+)/);
    procs.push(sim.proc);
    process.env.AWS_ENDPOINT_URL_KMS = proxy.url;
    process.env.AWS_ACCESS_KEY_ID = MOTO_CLIENT_CONFIG.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = MOTO_CLIENT_CONFIG.credentials.secretAccessKey;
    process.env.AWS_REGION = MOTO_CLIENT_CONFIG.region;
    const op = await child(['operator', '--kubeconfig', kubeconfigPath, '--namespace', NS, '--watch-namespaces', NS, '--health-port', '0'], /exkey operator started/);
    procs.push(op.proc);
    // A short overlap so the rotation completes (revocation of version 1) within the benchmark.
    await post(`/apis/exkey.io/v1alpha1/namespaces/${NS}/rotationpolicies`, { apiVersion: 'exkey.io/v1alpha1', kind: 'RotationPolicy', metadata: { name: 'quick' }, spec: { interval: '30d', overlap: '1s' } });
    const keyPath = `/apis/exkey.io/v1alpha1/namespaces/${NS}/exchangekeys`;
    const watch = new Watch(loadKubeConfig(kubeconfigPath));
    await post(keyPath, {
      apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name: 'mm' },
      spec: { exchange: 'bybit', endpoint: sim.match[1], account: '1001', masterCredentialsRef: { name: 'bybit-master' }, ipAllowlist: ['127.0.0.1'], rotationPolicyRef: { name: 'quick' }, secret: { encryption: { provider: 'aws-kms', awsKms: { keyId: keyArn } } } },
    });
    progress('issuing a key with aws-kms');
    await waitKey(watch, keyPath, (k) => k.status?.currentVersion === 1 && !k.status.rotation, op);
    const issue = Object.fromEntries(proxy.counts);
    proxy.counts.clear();
    await kube.send({ method: 'PATCH', path: `${keyPath}/mm`, patchType: 'merge', body: { metadata: { annotations: { 'exkey.io/rotate': 'b1' } } } });
    await waitKey(watch, keyPath, (k) => k.status?.currentVersion === 2 && !k.status.rotation, op);
    const rotation = Object.fromEntries(proxy.counts);
    proxy.counts.clear();
    // A consumer starts and serves 100,000 reads.
    const secret = await kube.send<{ data: Record<string, string> }>({ method: 'GET', path: `/api/v1/namespaces/${NS}/secrets/mm` });
    const dir = mkdtempSync(join(tmpdir(), 'exkey-bench-vol-'));
    const volume = await createSecretVolume(join(dir, 'vol'), secret.data);
    const handle = await openExchangeKey({ dir: volume.dir, namespace: NS, secretName: 'mm', unwrappers: [createAwsKmsUnwrapper({ client: kmsClient({ ...moto.clientConfig, endpoint: proxy.url }) })] });
    for (let i = 0; i < 100_000; i++) handle.get();
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
    await kube.close();
    return { issueFirstVersion: issue, rotationToVersion2: rotation, consumerStartAnd100kReads: Object.fromEntries(proxy.counts) };
  } finally {
    proxy.server.close();
    await moto.stop();
  }
}

const progress = (line: string): void => { process.stderr.write(`[bench:encryption] ${line}\n`); };

async function main(kubeconfigPath: string, procs: ChildProcess[]): Promise<void> {
  const getNs = await clientGet();
  progress(`client get(): ${getNs} ns median`);
  const openUs = await localOpen();
  progress(`local envelope open: ${openUs} µs median`);
  const kms = await kmsCalls(kubeconfigPath, procs);
  report({
    clientGetMedianNs: getNs,
    localEnvelopeOpenMedianUs: openUs,
    kmsCalls: kms,
    targets: {
      clientGetUnder1us: getNs < 1000,
      localOpenUnder1ms: openUs < 1000,
      oneWrapPerKeyVersion: exactly(kms.issueFirstVersion, 'GenerateDataKey') && exactly(kms.rotationToVersion2, 'GenerateDataKey'),
      oneUnwrapPerConsumerStart: exactly(kms.consumerStartAnd100kReads, 'Decrypt'),
    },
  }, values.json);
}

await withBenchCluster(main);
