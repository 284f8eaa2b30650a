// The manual path with Coinbase (CDP keys, ES256 JWTs) and the test playing the human in the CDP
// portal (the simulator's control API): the key is validated with key_permissions, published with
// its private key, rotated, and the old one is marked Revoked once the human deletes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCHANGE_KEYS, type ManualStatus } from '../../src/api/v1alpha1/index.ts';
import { maskKeyId } from '../../src/controllers/exchangekey/spec.ts';
import { startCoinbaseSimulator, type CoinbaseSimulator, type CreatedKey } from '../../src/exchanges/coinbase/simulator/index.ts';
import { SECRETS, collectionPath, objectPath } from '../../src/runtime/kube/paths.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { manualInstructions } from '../support/manual.ts';

let h: Harness;
let coinbase: CoinbaseSimulator;

beforeAll(async () => {
  h = await startHarness({ masterSecret: false });
  coinbase = await startCoinbaseSimulator({});
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
});

afterAll(async () => {
  await h.stop();
  await coinbase.stop();
});

const instructions = (name: string, action: ManualStatus['action'], version?: number): Promise<ManualStatus> => manualInstructions(h, name, action, version);

// The human in the CDP portal: an ECDSA key with View and Trade, never Transfer.
async function humanCreatesKey(): Promise<CreatedKey> {
  const response = await fetch(`${coinbase.url}/__sim/keys`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ can_view: true, can_trade: true, can_transfer: false, algorithm: 'ECDSA' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: CreatedKey }).key;
}

async function humanHandsOver(key: CreatedKey): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cb-handoff' }, stringData: { apiKey: key.name, privateKey: key.privateKey ?? '' } };
  if (await h.getSecret('cb-handoff')) await h.kube.send({ method: 'PUT', path: objectPath(SECRETS, h.namespace, 'cb-handoff'), body });
  else await h.kube.send({ method: 'POST', path: collectionPath(SECRETS, h.namespace), body });
}

describe('the manual path with Coinbase', () => {
  it('should publish a CDP key a human created, rotate to a second one and wait for the first to be deleted', async () => {
    await h.kube.send({
      method: 'POST', path: collectionPath(EXCHANGE_KEYS, h.namespace),
      body: {
        apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name: 'cb' },
        spec: {
          exchange: 'manual', endpoint: coinbase.url, permissions: ['read', 'trade'], ipAllowlist: ['127.0.0.1'], rotationPolicyRef: { name: 'quick' },
          manual: { venue: 'coinbase', handoffSecretRef: { name: 'cb-handoff' }, pollInterval: '1s' },
        },
      },
    });
    await instructions('cb', 'CreateKey', 1);
    const key1 = await humanCreatesKey();
    await humanHandsOver(key1);
    await h.waitForCondition('cb', { type: 'Ready', status: 'True' });
    const v1 = await h.readMaterial('cb');
    // The handoff is read trimmed, as exkey reads every credential field; PEM parses either way.
    expect([v1.apiKey, v1.privateKey]).toEqual([key1.name, key1.privateKey?.trim()]);

    await h.annotate('cb', { 'exkey.io/rotate': 'r1' });
    await instructions('cb', 'CreateKey', 2);
    const key2 = await humanCreatesKey();
    await humanHandsOver(key2);
    const del = await instructions('cb', 'DeleteKey');
    expect(del.deleteKeyIds).toEqual([maskKeyId(key1.name)]);
    const deleted = await fetch(`${coinbase.url}/__sim/keys/${encodeURIComponent(key1.name)}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const done = await h.waitForVersion('cb', 2, 30_000);
    expect(done.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
    expect((await h.readMaterial('cb')).apiKey).toBe(key2.name);
  });
});
