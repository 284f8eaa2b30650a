// The same ExchangeKey lifecycle with each envelope provider against a real server (moto for AWS
// KMS, local ring), the Secret in the API server never holding plaintext; and what happens when
// the KMS key is wrong or KMS is unreachable: a clear condition and Event, nothing lost.
import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kmsClient } from '../../src/crypto/providers/aws-kms.ts';
import type { KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { createKmsKey, freePort, startMoto, type MotoServer } from '../support/moto.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';

let moto: MotoServer;
let h: Harness;
let keyArn: string;

beforeAll(async () => {
  moto = await startMoto();
  keyArn = await createKmsKey(kmsClient(moto.clientConfig), 'alias/exkey-test');
  h = await startHarness({ operator: { kms: moto.clientConfig } });
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
});

afterAll(async () => {
  await h.stop();
  await moto.stop();
});

async function accepted(m: KeyMaterial): Promise<boolean> {
  try {
    const res = await new RestClientV5({ key: m.apiKey, secret: m.apiSecret ?? '', baseUrl: h.sim.url }).getQueryApiKey();
    return res.retCode === 0;
  } catch {
    return false; // bybit-api rejects a refused key (HTTP 401)
  }
}

function envelopeOf(secretData: Record<string, string> | undefined): { provider: string; keyRef: string } {
  return JSON.parse(Buffer.from(secretData?.envelope ?? '', 'base64').toString()) as { provider: string; keyRef: string };
}

describe.each([
  { provider: 'local', encryption: { provider: 'local' as const } },
  { provider: 'aws-kms', encryption: { provider: 'aws-kms' as const, awsKms: { keyId: 'alias/exkey-test' } } },
])('lifecycle with provider $provider', ({ provider, encryption }) => {
  const name = `life-${provider}`;

  it('should issue, publish an envelope with no plaintext, rotate and revoke', async () => {
    await h.createKey(name, { rotationPolicyRef: { name: 'quick' }, secret: { encryption } });
    await h.waitForCondition(name, { type: 'Ready', status: 'True' });
    const secret = await h.getSecret(name);
    const envelope = envelopeOf(secret?.data);
    expect(envelope.provider).toBe(provider);
    if (provider === 'aws-kms') expect(envelope.keyRef).toBe(keyArn);
    const v1 = await h.readMaterial(name);
    for (const s of [v1.apiKey, ...secretsOf(v1)]) expect(JSON.stringify(secret)).not.toContain(s);
    expect(await accepted(v1)).toBe(true);

    await h.annotate(name, { 'exkey.io/rotate': 'r1' });
    await h.waitForVersion(name, 2);
    const v2 = await h.readMaterial(name);
    expect(await accepted(v2)).toBe(true);
    expect(await accepted(v1)).toBe(false);
    const stored = JSON.stringify(await h.getSecret(name));
    for (const s of [v2.apiKey, ...secretsOf(v2)]) expect(stored).not.toContain(s);
  });
});

describe('bad encryption settings and an unreachable KMS', () => {
  it('should report a KMS key that does not exist, and write nothing', async () => {
    await h.createKey('wrong-key', { secret: { encryption: { provider: 'aws-kms', awsKms: { keyId: 'alias/does-not-exist' } } } });
    const key = await h.waitForCondition('wrong-key', { type: 'Ready', status: 'False', reason: 'EncryptionFailed' });
    const message = key.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    expect(message).toContain('alias/does-not-exist');
    expect((await h.events('wrong-key')).some((e) => e.type === 'Warning' && e.reason === 'EncryptionFailed')).toBe(true);
    expect(await h.getSecret('wrong-key')).toBeUndefined();
    // Every key the exchange created for it was taken back: nothing stays live without a record.
    const live = h.sim.state.listKeys().filter((k) => !k.deleted && k.note.startsWith(`xk${key.metadata.uid.replaceAll('-', '').slice(0, 10)}`));
    expect(live).toEqual([]);
  });

  it('should keep the published Secret untouched and readable when KMS is unreachable during a rotation', async () => {
    await h.createKey('kms-down', { rotationPolicyRef: { name: 'quick' }, secret: { encryption: { provider: 'aws-kms', awsKms: { keyId: keyArn } } } });
    await h.waitForCondition('kms-down', { type: 'Ready', status: 'True' });
    const before = await h.getSecret('kms-down');
    const v1 = await h.readMaterial('kms-down');
    // The operator loses KMS: restarted pointing at a port where nothing listens.
    await h.stopOperator();
    await h.startOperator({ operator: { kms: { ...moto.clientConfig, endpoint: `http://127.0.0.1:${await freePort()}`, requestTimeoutMs: 1000, maxAttempts: 1 } } });
    await h.annotate('kms-down', { 'exkey.io/rotate': 'r1' });

    const degraded = await h.waitForCondition('kms-down', { type: 'Degraded', status: 'True', reason: 'EncryptionFailed' }, 60_000);
    expect(degraded.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(degraded.status?.currentVersion).toBe(1);
    expect((await h.getSecret('kms-down'))?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    expect((await h.readMaterial('kms-down')).apiKey).toBe(v1.apiKey);
    expect(await accepted(v1)).toBe(true);

    // KMS back: the rotation completes.
    await h.stopOperator();
    await h.startOperator({ operator: { kms: moto.clientConfig } });
    await h.waitForVersion('kms-down', 2, 90_000);
  });
});
