// Health of a recorded control plane, for `exkey env status` and for deciding whether `up` is a no-op.
import { readFileSync } from 'node:fs';
import { CoreV1Api } from '@kubernetes/client-node';
import { layoutOf } from './layout.ts';
import { kubeConfigFromFile } from './nodes.ts';
import { httpsGet } from './probe.ts';
import { isRunning } from './process.ts';
import type { ControlPlaneState } from './state.ts';

/** Outcome of a health check: healthy only if every line is ok. */
export interface HealthReport {
  healthy: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

async function apiserverReady(state: ControlPlaneState): Promise<{ ok: boolean; detail: string }> {
  try {
    const kc = kubeConfigFromFile(state.kubeconfigPath);
    const token = kc.getCurrentUser()?.token;
    const ca = readFileSync(layoutOf(state.dir).apiserverCa, 'utf8');
    const res = await httpsGet(`${state.server}/readyz`, ca, token);
    return { ok: res.status === 200, detail: `${state.server}/readyz: ${res.status} ${res.body.trim().slice(0, 200)}` };
  } catch (err) {
    return { ok: false, detail: `${state.server}/readyz: ${(err as Error).message}` };
  }
}

async function nodesReady(state: ControlPlaneState): Promise<{ ok: boolean; detail: string }> {
  try {
    const core = kubeConfigFromFile(state.kubeconfigPath).makeApiClient(CoreV1Api);
    const nodes = (await core.listNode()).items;
    const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return { ok: nodes.length > 0 && ready.length === nodes.length, detail: `${ready.length}/${nodes.length} nodes Ready` };
  } catch (err) {
    return { ok: false, detail: `listing nodes: ${(err as Error).message}` };
  }
}

/** Checks that every recorded process runs, the API server is ready and all nodes are Ready. */
export async function checkHealth(state: ControlPlaneState): Promise<HealthReport> {
  const checks: HealthReport['checks'] = state.processes.map((p) => {
    const ok = isRunning(p);
    return { name: p.name, ok, detail: `pid ${p.pid} ${ok ? 'running' : 'not running'}; log ${p.logPath}` };
  });
  if (checks.every((c) => c.ok)) {
    checks.push({ name: 'apiserver', ...await apiserverReady(state) });
    checks.push({ name: 'nodes', ...await nodesReady(state) });
  }
  return { healthy: checks.every((c) => c.ok), checks };
}
