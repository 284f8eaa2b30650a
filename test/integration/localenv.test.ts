// Proves the local environment is a real cluster: what exkey's rotation relies on (a Deployment
// rolls to completion after a pod-template change) works, and `exkey env` manages a detached one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api, CoreV1Api, KubernetesObjectApi, PatchStrategy, VersionApi, type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readState, resolveVersions } from '../../src/localenv/index.ts';
import { createTestNamespace, kubeConfigFromPath, waitFor, type TestNamespace } from '../support/kube.ts';

const kc = kubeConfigFromPath(inject('kubeconfigPath'));

// The kubectl rollout-status rule: the controller saw the latest spec, every replica runs the
// latest template, no old replica is left, and all are available.
function rolledOut(d: V1Deployment, replicas: number): boolean {
  const s = d.status;
  return (d.metadata?.generation ?? 0) <= (s?.observedGeneration ?? -1)
    && s?.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
}

function rolloutView(d: V1Deployment): unknown {
  const s = d.status;
  return {
    generation: d.metadata?.generation, observedGeneration: s?.observedGeneration, replicas: s?.replicas,
    updated: s?.updatedReplicas, available: s?.availableReplicas, conditions: s?.conditions?.map((c) => `${c.type}=${c.status}:${c.reason}`),
  };
}

describe('local control plane', () => {
  let ns: TestNamespace;
  beforeAll(async () => { ns = await createTestNamespace(kc, 'localenv'); });
  afterAll(async () => { await ns.cleanup(); });

  it('should answer on the API server with TLS verified', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    // gitVersion stays v0.0.0-master until the build script stamps it with -ldflags -X.
    const [major, minor] = resolveVersions().kubernetes.split('.');
    expect({ major: version.major, minor: version.minor }).toEqual({ major, minor });
    expect(kc.getCurrentCluster()?.skipTLSVerify ?? false).toBe(false);
  });

  it('should have two fake nodes Ready and untainted', async () => {
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode({ labelSelector: 'type=kwok' })).items;
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(node.spec?.taints ?? []).toEqual([]);
    }
  });

  it('should make a 3-replica Deployment available and roll it after a pod-template change', async () => {
    const name = 'web';
    const apps = kc.makeApiClient(AppsV1Api);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns.name },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name }, annotations: { 'exkey.io/key-version': '1' } },
          spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
        },
      },
    };
    await objects.create(deployment);
    const read = (): Promise<V1Deployment> => apps.readNamespacedDeployment({ name, namespace: ns.name });
    await waitFor(async (observe) => {
      const d = await read();
      observe(rolloutView(d));
      return rolledOut(d, 3);
    }, { timeoutMs: 60_000, description: 'Deployment web available with 3 replicas' });

    const patch = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns.name },
      spec: { template: { metadata: { annotations: { 'exkey.io/key-version': '2' } } } },
    };
    await objects.patch(patch, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    const rolled = await waitFor(async (observe) => {
      const d = await read();
      observe(rolloutView(d));
      return (d.metadata?.generation ?? 0) >= 2 && rolledOut(d, 3) ? d : undefined;
    }, { timeoutMs: 60_000, description: 'Deployment web rolled to key version 2' });
    expect(rolled.status?.observedGeneration).toBe(rolled.metadata?.generation);

    const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns.name, labelSelector: `app=${name}` })).items
      .filter((p) => !p.metadata?.deletionTimestamp);
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata?.annotations?.['exkey.io/key-version']).toBe('2');
      expect(pod.status?.phase).toBe('Running');
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
    }
  });
});

// Runs `exkey env ...` in a child process, as `npm run env:up` would (so detached processes must
// outlive it); returns exit status and output.
function envCommand(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const entry = new URL('../../src/localenv/index.ts', import.meta.url).href;
  const code = `const { runEnvCommand } = await import(${JSON.stringify(entry)}); process.exit(await runEnvCommand(process.argv.slice(1)));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', code, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

// Live (non-zombie) processes whose command line mentions `text`.
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.charAt(stat.lastIndexOf(')') + 2) === 'Z') continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe.runIf(existsSync('/proc'))('exkey env (detached)', () => {
  const root = mkdtempSync(join(tmpdir(), 'exkey-env-'));
  const dir = join(root, 'env');
  const copy = join(root, 'kubeconfig');
  const common = ['--dir', dir, '--kubeconfig-out', copy];
  afterAll(() => {
    envCommand(['down', ...common]);
    rmSync(root, { recursive: true, force: true });
  });

  it('should come up detached, be idempotent on a second up, and leave no process after down', () => {
    const first = envCommand(['up', ...common]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(copy);
    const state = readState(dir);
    expect(state?.processes.map((p) => p.name)).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(join(dir, 'kubeconfig'), 'utf8'));
    // The `up` process has exited; the control plane must still be there.
    expect(processesMentioning(dir)).toHaveLength(5);

    const second = envCommand(['up', ...common]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('already running');
    expect(readState(dir)?.processes.map((p) => p.pid)).toEqual(state?.processes.map((p) => p.pid));

    const status = envCommand(['status', ...common]);
    expect(status.status, status.stdout).toBe(0);
    expect(envCommand(['kubeconfig', ...common]).stdout.trim()).toBe(join(dir, 'kubeconfig'));

    // A component dies (crash, reboot): status says so, and up replaces the stale environment.
    process.kill(state!.processes.find((p) => p.name === 'kwok')!.pid, 'SIGKILL');
    const broken = envCommand(['status', ...common]);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('FAIL kwok');
    const restarted = envCommand(['up', ...common]);
    expect(restarted.status, restarted.stderr).toBe(0);
    expect(restarted.stderr).toContain('stale environment');
    const pids = readState(dir)?.processes.map((p) => p.pid) ?? [];
    expect(pids.some((pid) => state!.processes.some((p) => p.pid === pid))).toBe(false);
    expect(processesMentioning(dir)).toHaveLength(5);

    const down = envCommand(['down', ...common]);
    expect(down.status, down.stderr).toBe(0);
    expect(processesMentioning(dir)).toEqual([]);
    expect(existsSync(copy)).toBe(false);
    expect(envCommand(['status', ...common]).status).toBe(1);
  });
});
