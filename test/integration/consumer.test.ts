// The consumer side end to end: a pod-like process runs the client library against a Secret
// volume that a kubelet-like projector keeps in step with the real Secret (through a watch), and
// signs Bybit requests continuously while the in-process operator rotates the key. Every request
// must succeed, the process must switch to version 2 without restarting, and the old key must be
// refused once the overlap is over.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { waitFor } from '../support/kube.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { createSecretVolume, mirrorSecret, type SecretMirror } from '../support/secret-volume.ts';

const CLIENT = pathToFileURL(join(import.meta.dirname, '../../src/client/index.ts')).href;

// The "pod": plain JavaScript run by node, importing the library like an app would. One request
// every 100 ms with whatever handle.get() returns at that moment; one JSON line per event.
const POD = `
import { RestClientV5 } from 'bybit-api';
import { openExchangeKey, localKeyRingUnwrapper } from ${JSON.stringify(CLIENT)};
const env = process.env;
const emit = (line) => process.stdout.write(JSON.stringify({ event: line.event, pid: process.pid, ...line }) + '\\n');
let stopping = false;
process.on('SIGTERM', () => { stopping = true; });
const unwrapper = localKeyRingUnwrapper({ namespace: env.KEYRING_NAMESPACE, secretName: 'exkey-local-encryption-key' });
const handle = await openExchangeKey({
  dir: env.KEY_DIR, namespace: env.POD_NAMESPACE, secretName: env.SECRET_NAME, unwrappers: [unwrapper],
  onRotate: (e) => emit({ event: 'rotate', ...e }),
  onError: (error, e) => emit({ event: 'error', kind: error.kind, message: error.message, ...e }),
});
emit({ event: 'start', version: handle.get().version });
const clients = new WeakMap();
while (!stopping) {
  const key = handle.get();
  let client = clients.get(key);
  if (!client) {
    client = new RestClientV5({ key: key.apiKey, secret: key.apiSecret, baseUrl: env.SIM_URL });
    clients.set(key, client);
  }
  let retCode;
  try {
    retCode = (await client.getQueryApiKey()).retCode;
  } catch {
    retCode = -1;
  }
  emit({ event: 'request', version: key.version, previousVersion: handle.previous()?.version ?? null, retCode });
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await handle.close();
await unwrapper.close();
emit({ event: 'stopped' });
`;

interface PodLine {
  event: 'start' | 'request' | 'rotate' | 'error' | 'stopped';
  pid: number;
  version?: number;
  fromVersion?: number;
  previousVersion?: number | null;
  retCode?: number;
  kind?: string;
  message?: string;
}

interface Pod {
  lines: PodLine[];
  stderr: string[];
  exit: Promise<number | null>;
  child: ChildProcess;
}

function startPod(env: Record<string, string>): Pod {
  const child = spawn(process.execPath, ['--input-type=module', '-e', POD], {
    cwd: join(import.meta.dirname, '../..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: PodLine[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    // Only the pod's own lines: a library may print other things to stdout.
    if (line.startsWith('{"event"')) lines.push(JSON.parse(line) as PodLine);
  });
  createInterface({ input: child.stderr }).on('line', (line) => { stderr.push(line); });
  const exit = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code); }); });
  return { lines, stderr, exit, child };
}

async function accepted(m: KeyMaterial, url: string): Promise<boolean> {
  try {
    return (await new RestClientV5({ key: m.apiKey, secret: m.apiSecret ?? '', baseUrl: url }).getQueryApiKey()).retCode === 0;
  } catch {
    return false;
  }
}

let h: Harness;
let tmp: string;
let mirror: SecretMirror | undefined;
let pod: Pod | undefined;

beforeAll(async () => {
  h = await startHarness();
  tmp = await mkdtemp(join(tmpdir(), 'exkey-consumer-'));
  // No dependents: the rollout completes at once, then a short overlap, then the old key is revoked.
  await h.createPolicy('fast', { interval: '30d', overlap: '4s', rollout: { progressDeadline: '10s' } });
});

afterAll(async () => {
  if (pod && pod.child.exitCode === null) pod.child.kill('SIGKILL');
  await mirror?.stop();
  await h.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('a pod that reads its key with the client library', () => {
  it('should sign every request with a valid key across a rotation and switch to version 2 without restarting', async () => {
    await h.createKey('mm', { rotationPolicyRef: { name: 'fast' } });
    await h.waitForCondition('mm', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('mm');
    const volume = await createSecretVolume(join(tmp, 'mm'));
    mirror = await mirrorSecret(h.kc, h.namespace, 'mm', volume);

    const p = startPod({
      KEY_DIR: volume.dir, POD_NAMESPACE: h.namespace, SECRET_NAME: 'mm', SIM_URL: h.sim.url,
      KUBECONFIG: inject('kubeconfigPath'), KEYRING_NAMESPACE: h.namespace,
    });
    pod = p;
    const requests = (): PodLine[] => p.lines.filter((l) => l.event === 'request');
    const seen = (description: string, predicate: (l: PodLine) => boolean, timeoutMs = 60_000): Promise<PodLine> =>
      waitFor((observe) => {
        observe({ last: p.lines.at(-1), stderr: p.stderr.slice(-5) });
        return requests().find(predicate);
      }, { description, timeoutMs });

    await seen('requests signed with version 1', (l) => l.version === 1 && l.retCode === 0);
    await h.annotate('mm', { 'exkey.io/rotate': 'r1' });
    await seen('version 2 served, version 1 as previous during the overlap', (l) => l.version === 2 && l.previousVersion === 1);
    await h.waitForVersion('mm', 2);
    const revokedAt = requests().length;
    await seen('previous.* gone once the old key is revoked', (l) => l.version === 2 && l.previousVersion === null);
    await waitFor(() => requests().length >= revokedAt + 10, { description: '10 more requests after the revocation' });

    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    const v2 = await h.readMaterial('mm');
    const all = requests();
    // None refused, by the pod's account and by the exchange's.
    expect(all.filter((l) => l.retCode !== 0)).toEqual([]);
    const served = new Set([v1.apiKey, v2.apiKey]);
    const refused = h.sim.state.recentRequests().filter((r) => served.has(r.apiKey) && r.path === '/v5/user/query-api' && r.retCode !== 0);
    expect(refused).toEqual([]);
    // One process throughout, which moved from 1 to 2 once and never back.
    expect(p.lines.filter((l) => l.event === 'start')).toEqual([{ event: 'start', pid: p.child.pid, version: 1 }]);
    expect(new Set(p.lines.map((l) => l.pid))).toEqual(new Set([p.child.pid]));
    expect(p.lines.filter((l) => l.event === 'rotate')).toEqual([{ event: 'rotate', pid: p.child.pid, version: 2, fromVersion: 1 }]);
    const versions = all.map((l) => l.version);
    expect(versions.indexOf(2)).toBeGreaterThan(0);
    expect(versions.slice(versions.indexOf(2)).every((v) => v === 2)).toBe(true);
    expect(p.lines.filter((l) => l.event === 'error')).toEqual([]);
    // After the overlap the exchange refuses the old key and takes the new one.
    expect(await accepted(v1, h.sim.url)).toBe(false);
    expect(await accepted(v2, h.sim.url)).toBe(true);
  });
});
