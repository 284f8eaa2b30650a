// The operator is SIGKILLed at every point of a rotation (failpoints, EXKEY_FAILPOINTS) and then
// restarted: each rotation must complete, leave exactly one live key at the exchange (no orphan,
// old key revoked), keep the Secret whole, and roll the dependents.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { keyVersionAnnotation } from '../../src/controllers/dependents/annotation.ts';
import { isOwnedBy } from '../../src/exchanges/owner-tag.ts';
import { waitFor } from '../support/kube.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';
import { startOperatorProcess, type OperatorProcess } from '../support/operator-process.ts';

const FAILPOINTS = [
  'after:WriteStatus:Registering', // phase recorded, nothing at the exchange yet
  'after:ExchangeCreate:Registering', // key created at the exchange, its secret held only in memory
  'after:Register:Registering', // key in the pending Secret, not validated
  'after:WriteStatus:Publishing', // validated, Secret not written
  'after:Publish:Publishing', // Secret holds both versions, status still says Publishing
  'after:WriteStatus:RollingOut', // published; rollout not started
  'after:RolloutRecorded:RollingOut', // rollout recorded, workload not patched
  'after:StartRollouts:RollingOut', // workload patched
  'after:WriteStatus:Overlap', // all rolled, overlap running
  'after:WriteStatus:Revoking', // about to revoke the old key
  'after:RevokeOld:Revoking', // old key revoked, Secret still carries it
  'after:DropPrevious:Revoking', // Secret trimmed, status not final
] as const;

const name = (i: number): string => `crash-${i}`;
let h: Harness;
const logs: string[] = [];

async function withOperator<T>(env: Record<string, string>, run: (op: OperatorProcess) => Promise<T>): Promise<T> {
  const op = await startOperatorProcess(inject('kubeconfigPath'), h.namespace, env);
  try {
    return await run(op);
  } finally {
    await op.stop();
    logs.push(op.output());
  }
}

beforeAll(async () => {
  h = await startHarness({ inProcessOperator: false });
  await h.createPolicy('crash', { interval: '30d', overlap: '1s', rollout: { progressDeadline: '1m', maxConcurrent: 1 } });
  await withOperator({}, async () => {
    for (let i = 0; i < FAILPOINTS.length; i++) {
      await h.createDeployment(name(i), { replicas: 2 });
      await h.createKey(name(i), { rotationPolicyRef: { name: 'crash' }, dependents: [{ kind: 'Deployment', name: name(i) }] });
    }
    for (let i = 0; i < FAILPOINTS.length; i++) await h.waitForCondition(name(i), { type: 'Ready', status: 'True' }, 60_000);
  });
}, 300_000);

afterAll(async () => {
  await h.stop();
});

describe('SIGKILL during each phase of a rotation, then restart', () => {
  it.each(FAILPOINTS.map((fp, i) => ({ fp, i })))('should complete the rotation when killed at $fp', async ({ fp, i }) => {
    const key = name(i);
    const v1 = await h.readMaterial(key);
    const killed = await withOperator({ EXKEY_FAILPOINTS: fp }, async (op) => {
      await h.annotate(key, { 'exkey.io/rotate': 'crash-test' });
      return op.exited;
    });
    expect(killed.signal).toBe('SIGKILL');

    const done = await withOperator({}, () => h.waitForVersion(key, 2, 60_000));
    // Exactly one live key at the exchange for this ExchangeKey: the one in the Secret.
    const uid = done.metadata.uid;
    const live = h.sim.state.listKeys().filter((k) => !k.deleted && isOwnedBy(k.note, uid));
    const v2 = await h.readMaterial(key);
    expect(live.map((k) => k.apiKey)).toEqual([v2.apiKey]);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    // The Secret is whole: only the current version, and it opens.
    expect(Object.keys((await h.getSecret(key))?.data ?? {}).sort()).toEqual(['envelope', 'version']);
    expect(v2.version).toBe(2);
    expect(await h.getSecret(`exkey-pending-${uid}`)).toBeUndefined();
    expect(done.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
    const annotation = keyVersionAnnotation(key);
    await waitFor(async () => (await h.pods(key)).every((p) => p.metadata?.annotations?.[annotation] === '2'), { description: `${key} pods on version 2` });
  }, 120_000);

  it('should not have logged any key material in any run', async () => {
    const all = logs.join('\n');
    expect(all).toContain('failpoint reached');
    for (let i = 0; i < FAILPOINTS.length; i++) {
      for (const secret of secretsOf(await h.readMaterial(name(i)))) expect(all).not.toContain(secret);
    }
  });
});
