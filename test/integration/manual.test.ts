// The manual path on the real local control plane, with a Kraken simulator as the venue and the
// test playing the human: it reads status.manual, creates keys through the simulator's admin API
// (Kraken's "Create API key" page), writes the handoff Secret, and deletes the old key when asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCHANGE_KEYS, type ExchangeKey, type ExchangeKeySpec, type ManualStatus } from '../../src/api/v1alpha1/index.ts';
import { keyVersionAnnotation } from '../../src/controllers/dependents/annotation.ts';
import { maskKeyId } from '../../src/controllers/exchangekey/spec.ts';
import { KRAKEN_PERMISSIONS } from '../../src/exchanges/kraken/permissions.ts';
import { startKrakenSimulator, type CreatedKey, type KrakenSimulator } from '../../src/exchanges/kraken/simulator/index.ts';
import { SECRETS, collectionPath, objectPath } from '../../src/runtime/kube/paths.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { manualInstructions } from '../support/manual.ts';
import { waitFor } from '../support/kube.ts';

let h: Harness;
let kraken: KrakenSimulator;
const created: CreatedKey[] = [];

beforeAll(async () => {
  h = await startHarness({ masterSecret: false });
  kraken = await startKrakenSimulator();
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
});

afterAll(async () => {
  await h.stop();
  await kraken.stop();
});

async function createManualKey(name: string, extra: Partial<ExchangeKeySpec> = {}): Promise<void> {
  await h.kube.send({
    method: 'POST', path: collectionPath(EXCHANGE_KEYS, h.namespace),
    body: {
      apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name },
      spec: {
        exchange: 'manual', endpoint: kraken.url, permissions: ['read', 'trade:spot'], ipAllowlist: ['127.0.0.1'],
        manual: { venue: 'kraken', handoffSecretRef: { name: `${name}-handoff` }, pollInterval: '1s' },
        ...extra,
      },
    },
  });
}

const instructions = (name: string, action: ManualStatus['action'], version?: number): Promise<ManualStatus> => manualInstructions(h, name, action, version);

// The human, in Kraken's UI: ticks the boxes for the required exkey permissions (plus any extra
// Kraken ones asked for) and enters the allowlist.
async function humanCreatesKey(manual: ManualStatus, extraKrakenPermissions: string[] = []): Promise<CreatedKey> {
  const wanted = new Set(manual.requiredPermissions ?? []);
  const permissions = KRAKEN_PERMISSIONS.filter((p) => p.exkey !== undefined && wanted.has(p.exkey)).map((p) => p.kraken);
  const response = await fetch(`${kraken.url}/__sim/keys`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKeyName: 'exkey test', permissions: [...permissions, ...extraKrakenPermissions], ipAllowlist: manual.ipAllowlist ?? [] }),
  });
  expect(response.status).toBe(201);
  const { key } = (await response.json()) as { key: CreatedKey };
  created.push(key);
  return key;
}

async function humanDeletesKey(apiKey: string): Promise<void> {
  const response = await fetch(`${kraken.url}/__sim/keys/${encodeURIComponent(apiKey)}`, { method: 'DELETE' });
  expect(response.status).toBe(200);
}

// The human puts the key into the handoff Secret (creating or replacing it).
async function humanHandsOver(secretName: string, key: CreatedKey): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName }, stringData: { apiKey: key.apiKey, apiSecret: key.secret } };
  if (await h.getSecret(secretName)) {
    await h.kube.send({ method: 'PUT', path: objectPath(SECRETS, h.namespace, secretName), body });
  } else {
    await h.kube.send({ method: 'POST', path: collectionPath(SECRETS, h.namespace), body });
  }
}

const condition = (k: ExchangeKey | undefined, type: string): { status: string; reason: string; message: string } | undefined =>
  k?.status?.conditions?.find((c) => c.type === type);

describe('a manual Kraken key, from "waiting for a human" to Ready, then rotated', () => {
  it('should publish the key a human created, roll dependents onto a second one, and wait for the old one to be deleted', async () => {
    await h.createDeployment('desk', { replicas: 2 });
    await createManualKey('kr', { rotationPolicyRef: { name: 'quick' }, dependents: [{ kind: 'Deployment', name: 'desk' }] });

    const ask1 = await instructions('kr', 'CreateKey', 1);
    expect(ask1).toMatchObject({
      requiredPermissions: ['read', 'trade:spot'], forbiddenPermissions: ['withdraw', 'transfer'], ipAllowlist: ['127.0.0.1'], handoffSecret: 'kr-handoff',
    });
    expect(ask1.instructions).toContain('Create a new API key at kraken');
    expect(condition(await h.getKey('kr'), 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingHuman' });

    const key1 = await humanCreatesKey(ask1);
    await humanHandsOver('kr-handoff', key1);
    const ready = await h.waitForCondition('kr', { type: 'Ready', status: 'True' });
    expect(ready.status?.keys).toEqual([expect.objectContaining({ version: 1, keyId: maskKeyId(key1.apiKey), state: 'Active' })]);
    expect(ready.status?.manual?.action).toBe('None');
    expect(condition(ready, 'Ready')?.message).toContain('accepted by kraken');
    const v1 = await h.readMaterial('kr');
    expect([v1.apiKey, v1.apiSecret]).toEqual([key1.apiKey, key1.secret]);

    await h.annotate('kr', { 'exkey.io/rotate': 'r1' });
    const ask2 = await instructions('kr', 'CreateKey', 2);
    const rotating = await h.getKey('kr');
    expect(condition(rotating, 'Rotating')?.message).toContain('waiting for a human');
    expect(condition(rotating, 'Ready')?.status).toBe('True');
    const key2 = await humanCreatesKey(ask2);
    await humanHandsOver('kr-handoff', key2);

    const del = await instructions('kr', 'DeleteKey');
    expect(del.deleteKeyIds).toEqual([maskKeyId(key1.apiKey)]);
    expect(del.instructions).toContain(`Delete key ${maskKeyId(key1.apiKey)} at kraken`);
    const v2 = await h.readMaterial('kr');
    expect(v2.apiKey).toBe(key2.apiKey);
    const pods = (await h.pods('desk')).filter((p) => !p.metadata?.deletionTimestamp);
    expect(pods.map((p) => p.metadata?.annotations?.[keyVersionAnnotation('kr')])).toEqual(['2', '2']);
    // exkey waits for the human: the old key stays until the venue refuses it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await h.getKey('kr'))?.status?.rotation?.phase).toBe('Revoking');

    await humanDeletesKey(key1.apiKey);
    const done = await h.waitForVersion('kr', 2, 30_000);
    expect(done.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
    expect(done.status?.manual?.action).toBe('None');
    expect(Object.keys((await h.getSecret('kr'))?.data ?? {}).sort()).toEqual(['envelope', 'version']);
    const reasons = (await h.events('kr')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['AwaitingHuman', 'KeyReceived', 'Issued', 'Published', 'RolledOut', 'OldKeyRevoked', 'Rotated']));
  });
});

describe('a key created with withdrawal enabled', () => {
  it('should be refused with a clear status message, never published, and a new key taken once the human fixes it', async () => {
    await createManualKey('wd');
    const ask = await instructions('wd', 'CreateKey', 1);
    const bad = await humanCreatesKey(ask, ['withdraw-funds']);
    await humanHandsOver('wd-handoff', bad);

    const refused = await waitFor(async () => {
      const k = await h.getKey('wd');
      return k?.status?.manual?.rejected && condition(k, 'Ready')?.reason === 'AwaitingHuman' ? k : undefined;
    }, { timeoutMs: 30_000, description: 'wd: refusal recorded' });
    expect(refused.status?.manual?.rejected?.keyId).toBe(maskKeyId(bad.apiKey));
    expect(refused.status?.manual?.rejected?.message).toContain('withdrawal is enabled');
    expect(condition(refused, 'Ready')?.message).toContain('exkey cannot delete keys at kraken');
    expect(await h.getSecret('wd')).toBeUndefined();
    expect(refused.status?.keys ?? []).toEqual([]);
    const warning = (await h.events('wd')).find((e) => e.reason === 'ValidationFailed');
    expect(warning?.type).toBe('Warning');

    // The human deletes the bad key and creates a proper one.
    await humanDeletesKey(bad.apiKey);
    const good = await humanCreatesKey(ask);
    await humanHandsOver('wd-handoff', good);
    await h.waitForCondition('wd', { type: 'Ready', status: 'True' });
    expect((await h.readMaterial('wd')).apiKey).toBe(good.apiKey);
    expect((await h.getKey('wd'))?.status?.manual?.rejected).toBeUndefined();
  });
});

describe('deleting a manual key with deletionPolicy Revoke', () => {
  it('should ask the human to delete every live key and keep the finalizer until the venue refuses them', async () => {
    const live = (await h.readMaterial('wd')).apiKey;
    await h.kube.send({ method: 'DELETE', path: objectPath(EXCHANGE_KEYS, h.namespace, 'wd') });
    const ask = await instructions('wd', 'DeleteKey');
    expect(ask.deleteKeyIds).toEqual([maskKeyId(live)]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await h.getKey('wd')).toBeDefined();

    await humanDeletesKey(live);
    await waitFor(async () => ((await h.getKey('wd')) ? undefined : true), { timeoutMs: 30_000, description: 'wd deleted' });
  });
});

describe('secret material', () => {
  it('should never appear in logs, Events or status', async () => {
    expect(created.length).toBeGreaterThanOrEqual(4);
    const events = [...(await h.events('kr')), ...(await h.events('wd'))].map((e) => e.message ?? '').join('\n');
    const statuses = JSON.stringify((await h.getKey('kr'))?.status);
    const logs = h.logs.join('\n');
    for (const key of created) {
      for (const material of [key.secret, key.apiKey]) {
        expect(logs).not.toContain(material);
        expect(events).not.toContain(material);
        expect(statuses).not.toContain(material);
      }
    }
  });
});
