// Binance end to end on the real local control plane: the operator registers sub-account keys at
// a Binance simulator started here (the harness's own simulator is Bybit's and is not used),
// validates them, publishes them, rotates them with an overlap and revokes them on deletion; an
// Ed25519 key is registered by its public key only and signs with the private key in its Secret.
import { randomBytes } from 'node:crypto';
import { MainClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { startBinanceSimulator, type BinanceSimulator } from '../../src/exchanges/binance/simulator/index.ts';
import { collectionPath, SECRETS } from '../../src/runtime/kube/paths.ts';
import { waitFor } from '../support/kube.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';

const SUB_EMAIL = 'desk-a@sub.example.com';
const master = { apiKey: `MASTER${randomBytes(29).toString('hex').toUpperCase()}`, apiSecret: randomBytes(32).toString('hex') };
let h: Harness;
let sim: BinanceSimulator;

beforeAll(async () => {
  h = await startHarness({ masterSecret: false });
  sim = await startBinanceSimulator({ masterKey: master.apiKey, masterSecret: master.apiSecret, rateLimits: true });
  await h.kube.send({
    method: 'POST', path: collectionPath(SECRETS, h.namespace),
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'binance-master' }, stringData: master },
  });
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
});

afterAll(async () => {
  await h.stop();
  await sim.stop();
});

const binanceKey = (spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  exchange: 'binance', endpoint: sim.url, account: SUB_EMAIL, masterCredentialsRef: { name: 'binance-master' },
  permissions: ['read', 'trade:spot', 'trade:derivatives'], ipAllowlist: ['127.0.0.1'], ...spec,
});

// A signed read-only call by the independent client with the Secret's material.
async function restrictionsWith(m: KeyMaterial): Promise<Record<string, unknown> | undefined> {
  const client = new MainClient({ api_key: m.apiKey, api_secret: m.privateKey ?? m.apiSecret ?? '', baseUrl: sim.url });
  try {
    return await client.getApiKeyPermissions() as unknown as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

describe('binance ExchangeKey lifecycle', () => {
  it('should register, rotate and revoke keys at Binance when the ExchangeKey is created, rotated and deleted', async () => {
    await h.createKey('bn', binanceKey({ rotationPolicyRef: { name: 'quick' } }));
    await h.waitForCondition('bn', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('bn');
    expect(v1.version).toBe(1);
    expect(sim.state.getKey(v1.apiKey)).toMatchObject({
      email: SUB_EMAIL, ipRestrict: true, ips: ['127.0.0.1'], deleted: false,
      flags: { canTrade: true, canFuturesTrade: true, canVanillaOptions: false, canUniversalTransfer: false, enableWithdrawals: false },
    });
    expect(await restrictionsWith(v1)).toMatchObject({ ipRestrict: true, enableSpotAndMarginTrading: true, enableFutures: true, enableWithdrawals: false });

    await h.annotate('bn', { 'exkey.io/rotate': 'r1' });
    const done = await h.waitForVersion('bn', 2, 90_000);
    const v2 = await h.readMaterial('bn');
    expect(v2.version).toBe(2);
    expect(sim.state.getKey(v2.apiKey)).toMatchObject({ deleted: false, ips: ['127.0.0.1'] });
    await waitFor(() => (sim.state.getKey(v1.apiKey)?.deleted ? true : undefined), { description: 'version 1 revoked at Binance', timeoutMs: 30_000 });
    expect(await restrictionsWith(v1)).toBeUndefined();
    expect(await restrictionsWith(v2)).toMatchObject({ enableFutures: true });
    expect(done.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);

    await h.kube.send({ method: 'DELETE', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/bn` });
    await waitFor(async () => ((await h.getKey('bn')) === undefined ? true : undefined), { description: 'ExchangeKey gone', timeoutMs: 30_000 });
    expect(sim.state.getKey(v2.apiKey)?.deleted).toBe(true);
    expect(sim.state.listKeys().filter((k) => !k.isMaster && !k.deleted && k.apiName.startsWith('xk'))).toEqual([]);
    for (const secret of [...secretsOf(v1), ...secretsOf(v2), master.apiSecret]) {
      expect(h.logs.join('\n')).not.toContain(secret);
    }
  });

  it.each(['ed25519', 'rsa'] as const)('should register a %s key by public key only and accept requests signed with the Secret\'s private key', async (keyType) => {
    const name = `bn-${keyType}`;
    await h.createKey(name, binanceKey({ keyType, permissions: ['read', 'trade:spot'] }));
    await h.waitForCondition(name, { type: 'Ready', status: 'True' });
    const material = await h.readMaterial(name);
    expect(material.privateKey).toMatch(/BEGIN PRIVATE KEY/);
    expect(material.apiSecret).toBeUndefined();
    const stored = sim.state.getKey(material.apiKey);
    expect(stored).toMatchObject({ keyType, hasSecret: false });
    expect(stored?.publicKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(await restrictionsWith(material)).toMatchObject({ enableSpotAndMarginTrading: true, enableFutures: false });
    expect(h.logs.join('\n')).not.toContain(material.privateKey ?? '<none>');
  });
});
