// Two `exkey operator` processes with leader election: one leads, the other waits. The leader is
// SIGKILLed in the middle of a rotation and the standby takes over and completes it; a leader
// stopped with SIGTERM hands the lease back, so the next one starts without waiting it out.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../support/kube.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { startOperatorProcess, type OperatorProcess } from '../support/operator-process.ts';

let h: Harness;
const started = new Map<string, OperatorProcess>();
const LEASE = 'exkey-operator';
// Short timings so the test takes seconds: lease 3 s, renew deadline 2 s, retry 0.25 s.
const ELECTION = ['--leader-elect', '--leader-election-id', LEASE, '--lease-duration-seconds', '3', '--renew-deadline-seconds', '2', '--retry-period-seconds', '0.25'];

async function replica(name: string): Promise<OperatorProcess> {
  const op = await startOperatorProcess(inject('kubeconfigPath'), h.namespace, { POD_NAME: name }, { args: ELECTION, readyLine: 'waiting to become the leader' });
  started.set(name, op);
  return op;
}

interface Lease { spec?: { holderIdentity?: string; leaseTransitions?: number } }

async function holder(): Promise<string> {
  const lease = await h.kube.send<Lease>({ method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${h.namespace}/leases/${LEASE}` });
  return lease.spec?.holderIdentity ?? '';
}

function leading(op: OperatorProcess): boolean {
  return op.output().includes('exkey operator started');
}

beforeAll(async () => {
  h = await startHarness({ inProcessOperator: false });
  await h.createPolicy('ha', { interval: '30d', overlap: '6s', rollout: { progressDeadline: '1m' } });
});

afterAll(async () => {
  for (const op of started.values()) await op.kill();
  await h.stop();
});

describe('leader election', () => {
  it('should run one leader, and complete a rotation under the standby when the leader is killed mid-rotation', async () => {
    const a = await replica('exkey-a');
    const b = await replica('exkey-b');
    const first = await waitFor(() => [a, b].find(leading), { description: 'one replica leads' });
    const standby = first === a ? b : a;
    expect(await holder()).toMatch(first === a ? /^exkey-a_/ : /^exkey-b_/);
    expect(leading(standby)).toBe(false);

    await h.createDeployment('ha-app', { replicas: 2 });
    await h.createKey('ha', { rotationPolicyRef: { name: 'ha' }, dependents: [{ kind: 'Deployment', name: 'ha-app' }] });
    await h.waitForCondition('ha', { type: 'Ready', status: 'True' }, 60_000);
    expect(leading(standby)).toBe(false); // the standby did nothing meanwhile
    const v1 = await h.readMaterial('ha');

    await h.annotate('ha', { 'exkey.io/rotate': 'failover' });
    await waitFor(async () => (await h.getKey('ha'))?.status?.rotation?.phase === 'Overlap', { description: 'rotation in Overlap', timeoutMs: 60_000 });
    const killedAt = Date.now();
    await first.kill();

    await waitFor(() => leading(standby), { description: 'standby takes over', timeoutMs: 15_000 });
    const takeoverMs = Date.now() - killedAt;
    // A lease duration (3 s) after the last renewal, plus a retry period and cache sync.
    expect(takeoverMs).toBeLessThan(8_000);
    const done = await h.waitForVersion('ha', 2, 60_000);
    expect(done.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    expect(await holder()).toMatch(standby === a ? /^exkey-a_/ : /^exkey-b_/);
  }, 180_000);

  it('should hand the lease back on SIGTERM, so a new replica leads without waiting for it to expire', async () => {
    const current = started.get((await holder()).split('_')[0] ?? '');
    if (!current) throw new Error('no live leader from the previous test');
    const next = await replica('exkey-c');
    expect(leading(next)).toBe(false);
    const stoppedAt = Date.now();
    await current.stop();
    expect(current.output()).toContain('released the lease');
    await waitFor(() => leading(next), { description: 'new replica leads', timeoutMs: 10_000 });
    // Well under a lease duration: it did not wait for expiry.
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    expect(await holder()).toMatch(/^exkey-c_/);
  }, 60_000);
});
