// The first lifecycle of an ExchangeKey on a real control plane and the Bybit simulator:
// issue → Ready, the published key works with an independent Bybit client, delete → revoked.
import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINALIZER } from '../../src/api/v1alpha1/index.ts';
import { waitFor } from '../support/kube.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

function bybitClient(apiKey: string, apiSecret: string): RestClientV5 {
  return new RestClientV5({ key: apiKey, secret: apiSecret, baseUrl: h.sim.url });
}

describe('ExchangeKey lifecycle (bybit, local envelope encryption)', () => {
  it('should issue a key, publish it encrypted, and report Ready with Events', async () => {
    await h.createKey('mm');
    const key = await h.waitForCondition('mm', { type: 'Ready', status: 'True', reason: 'Issued' });

    expect(key.metadata.finalizers).toContain(FINALIZER);
    expect(key.status).toMatchObject({ currentVersion: 1, secretName: 'mm', observedGeneration: 1 });
    expect(key.status?.keys).toEqual([expect.objectContaining({ version: 1, state: 'Active' })]);
    expect(key.status?.rotation).toBeUndefined();

    const secret = await h.getSecret('mm');
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['envelope', 'version']);
    expect(secret?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ExchangeKey', name: 'mm', controller: true });

    const material = await h.readMaterial('mm');
    expect(material).toMatchObject({ version: 1, exchange: 'bybit' });
    const stored = JSON.stringify(secret);
    for (const s of [material.apiKey, ...secretsOf(material)]) expect(stored).not.toContain(s);
    expect(key.status?.keys?.[0]?.keyId).not.toBe(material.apiKey);

    const simKey = h.sim.state.getKey(material.apiKey);
    expect(simKey).toMatchObject({ deleted: false, uid: '1001', ips: ['127.0.0.1'], readOnly: 0 });

    const reasons = (await h.events('mm')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Registered', 'Issued']));
    expect(await h.getSecret(`exkey-pending-${key.metadata.uid}`)).toBeUndefined();
  });

  it('should hand out a key that an independent Bybit client can sign with', async () => {
    const material = await h.readMaterial('mm');
    const res = await bybitClient(material.apiKey, material.apiSecret ?? '').getQueryApiKey();
    expect(res.retCode).toBe(0);
    expect(res.result.apiKey).toBe(material.apiKey);
    expect(res.result.permissions.Spot).toEqual(['SpotTrade']);
  });

  it('should write nothing when an idle resync finds nothing to do', async () => {
    const before = await h.getKey('mm');
    const secretBefore = await h.getSecret('mm');
    const eventsBefore = (await h.events('mm')).length;
    // Restart with a short resync: the initial list and several resyncs reconcile `mm` again.
    await h.stopOperator();
    const mark = h.logs.length;
    await h.startOperator({ resyncMs: 200 });
    await waitFor(
      () => h.logs.slice(mark).filter((l) => l.includes('"msg":"reconciled"') && l.includes('/mm"')).length >= 4,
      { description: 'at least four reconciles of mm', timeoutMs: 10_000 },
    );
    const after = await h.getKey('mm');
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect((await h.getSecret('mm'))?.metadata?.resourceVersion).toBe(secretBefore?.metadata?.resourceVersion);
    expect((await h.events('mm')).length).toBe(eventsBefore);
  });

  it('should revoke the key at the exchange when the ExchangeKey is deleted', async () => {
    const material = await h.readMaterial('mm');
    await h.kube.send({ method: 'DELETE', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/mm` });
    await waitFor(async () => (await h.getKey('mm')) === undefined, { description: 'mm deleted', timeoutMs: 30_000 });

    expect(h.sim.state.getKey(material.apiKey)?.deleted).toBe(true);
    await expect(bybitClient(material.apiKey, material.apiSecret ?? '').getQueryApiKey()).rejects.toMatchObject({
      code: 401,
      body: { retCode: 10003 },
    });
    const live = h.sim.state.listKeys().filter((k) => !k.isMaster && !k.deleted);
    expect(live).toEqual([]);
  });

  it('should publish plain apiKey/apiSecret data keys when encryption is none', async () => {
    await h.createKey('plain', { secret: { name: 'plain-secret', encryption: { provider: 'none' } } });
    await h.waitForCondition('plain', { type: 'Ready', status: 'True' });
    const secret = await h.getSecret('plain-secret');
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['apiKey', 'apiSecret', 'version']);
    const apiKey = Buffer.from(secret?.data?.apiKey ?? '', 'base64').toString();
    const apiSecret = Buffer.from(secret?.data?.apiSecret ?? '', 'base64').toString();
    const res = await bybitClient(apiKey, apiSecret).getQueryApiKey();
    expect(res.retCode).toBe(0);
  });

  it('should keep the Retain policy: the key stays valid at the exchange after deletion', async () => {
    await h.createKey('kept', { deletionPolicy: 'Retain' });
    await h.waitForCondition('kept', { type: 'Ready', status: 'True' });
    const material = await h.readMaterial('kept');
    await h.kube.send({ method: 'DELETE', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/kept` });
    await waitFor(async () => (await h.getKey('kept')) === undefined, { description: 'kept deleted' });
    expect(h.sim.state.getKey(material.apiKey)?.deleted).toBe(false);
  });

  it('should never put secret material in logs, Events or status', async () => {
    const material = await h.readMaterial('plain-secret');
    const key = await h.getKey('plain');
    const events = JSON.stringify(await h.events('plain'));
    const haystacks = [h.logs.join('\n'), events, JSON.stringify(key?.status)];
    for (const secret of [...secretsOf(material), h.master.apiSecret]) {
      for (const hay of haystacks) expect(hay).not.toContain(secret);
    }
    expect(JSON.stringify(key?.status)).not.toContain(material.apiKey);
  });
});
