// Integrity of encrypted Secrets on the real control plane: a tampered envelope is detected,
// reported and replaced; a harmless edit is verified once and accepted; the local key ring
// cannot be lost to an accidental delete.
import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Secret } from '@kubernetes/client-node';
import { waitFor } from '../support/kube.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
});

afterAll(async () => {
  await h.stop();
});

const secretPath = (name: string): string => `/api/v1/namespaces/${h.namespace}/secrets/${name}`;

/** Flips one character of the envelope's ciphertext, as an attacker or a bad merge would. */
function tamper(secret: V1Secret): V1Secret {
  const envelope = JSON.parse(Buffer.from(secret.data?.envelope ?? '', 'base64').toString()) as { ct: string };
  const ct = Buffer.from(envelope.ct, 'base64');
  ct[0] = (ct[0] ?? 0) ^ 0xff;
  envelope.ct = ct.toString('base64');
  return { ...secret, data: { ...secret.data, envelope: Buffer.from(JSON.stringify(envelope)).toString('base64') } };
}

describe('a tampered envelope', () => {
  it('should be reported as SecretTampered with a Warning Event and replaced by a fresh key', async () => {
    await h.createKey('target', { rotationPolicyRef: { name: 'quick' } });
    await h.waitForCondition('target', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('target');
    const secret = await h.getSecret('target');
    await h.kube.send({ method: 'PUT', path: secretPath('target'), body: tamper(secret ?? {}) });

    await waitFor(async () => (await h.events('target')).find((e) => e.reason === 'RotationStarted' && e.type === 'Warning' && e.message?.includes('SecretTampered')), {
      description: 'a Warning RotationStarted naming SecretTampered',
    });
    const done = await h.waitForVersion('target', 2);
    expect(done.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    const v2 = await h.readMaterial('target');
    expect(v2.version).toBe(2);
    // The tampered data was not carried over, and the old key is revoked after the overlap.
    expect(Object.keys((await h.getSecret('target'))?.data ?? {}).sort()).toEqual(['envelope', 'version']);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    const ok = await new RestClientV5({ key: v2.apiKey, secret: v2.apiSecret ?? '', baseUrl: h.sim.url }).getQueryApiKey();
    expect(ok.retCode).toBe(0);
  });
});

describe('a harmless edit', () => {
  it('should verify the envelopes once, accept the Secret and not rotate', async () => {
    await h.createKey('labelled', { rotationPolicyRef: { name: 'quick' } });
    const ready = await h.waitForCondition('labelled', { type: 'Ready', status: 'True' });
    const before = ready.status?.secretResourceVersion;
    const edited = await h.kube.send<V1Secret>({
      method: 'PATCH', path: secretPath('labelled'), patchType: 'merge', body: { metadata: { labels: { team: 'mm' } } },
    });
    expect(edited.metadata?.resourceVersion).not.toBe(before);
    const verified = await waitFor(async () => {
      const key = await h.getKey('labelled');
      return key?.status?.secretResourceVersion === edited.metadata?.resourceVersion ? key : undefined;
    }, { description: 'the edited Secret recorded as verified' });
    expect(verified.status?.currentVersion).toBe(1);
    expect(verified.status?.rotation).toBeUndefined();
  });
});

describe('the local key ring', () => {
  it('should survive an accidental delete, and keys keep working', async () => {
    await h.createKey('survivor', { rotationPolicyRef: { name: 'quick' } });
    await h.waitForCondition('survivor', { type: 'Ready', status: 'True' });
    await h.kube.send({ method: 'DELETE', path: secretPath('exkey-local-encryption-key') });
    const ring = await h.getSecret('exkey-local-encryption-key');
    expect(ring?.metadata?.deletionTimestamp).toBeDefined();
    expect(Object.keys(ring?.data ?? {}).some((k) => k.startsWith('key-'))).toBe(true);

    await h.annotate('survivor', { 'exkey.io/rotate': 'after-delete' });
    await h.waitForVersion('survivor', 2);
    expect((await h.readMaterial('survivor')).version).toBe(2);
    // Created once, for this namespace's first key; never again after the delete.
    expect(h.logs.filter((l) => l.includes('created a new local encryption key ring')).length).toBe(1);
  });
});
