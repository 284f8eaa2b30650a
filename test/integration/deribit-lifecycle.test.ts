// ExchangeKeys for Deribit on the real local control plane and the Deribit simulator: issue on a
// sub-account → Ready with the right scope and whitelist at the venue, the published key works
// with ccxt, a rotation with a short overlap revokes version 1, deletion revokes version 2; and an
// Ed25519 key registered by public key only, whose Secret's private key signs public/auth.
import { randomBytes, sign } from 'node:crypto';
import ccxt from 'ccxt';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeribitSimulator, type DeribitSimulator } from '../../src/exchanges/deribit/simulator/index.ts';
import type { ExchangeKeySpec } from '../../src/api/v1alpha1/index.ts';
import type { KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { waitFor } from '../support/kube.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';

const SUB_ACCOUNT = '7';
let h: Harness;
let sim: DeribitSimulator;

beforeAll(async () => {
  h = await startHarness();
  const master = { apiKey: `M${randomBytes(4).toString('hex')}`, apiSecret: randomBytes(32).toString('base64url') };
  sim = await startDeribitSimulator({ masterKey: master.apiKey, masterSecret: master.apiSecret, subAccountIds: [7] });
  await h.kube.send({
    method: 'POST', path: `/api/v1/namespaces/${h.namespace}/secrets`,
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'deribit-master' }, stringData: master },
  });
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
});

afterAll(async () => {
  await h.stop();
  await sim.stop();
});

function deribitKey(name: string, spec: Partial<ExchangeKeySpec> = {}): Promise<unknown> {
  return h.createKey(name, {
    exchange: 'deribit', endpoint: sim.url, account: SUB_ACCOUNT, masterCredentialsRef: { name: 'deribit-master' },
    permissions: ['read', 'trade'], ipAllowlist: ['127.0.0.1'], rotationPolicyRef: { name: 'quick' }, ...spec,
  });
}

async function acceptedByCcxt(m: KeyMaterial): Promise<boolean> {
  const client = new ccxt.deribit({ apiKey: m.apiKey, secret: m.apiSecret ?? '', enableRateLimit: false, urls: { api: { rest: sim.url } } });
  try {
    return (await client.privateGetGetAccountSummary({ currency: 'BTC' })).result !== undefined;
  } catch {
    return false;
  }
}

describe('ExchangeKey lifecycle (deribit, sub-account)', () => {
  it('should issue a key on the sub-account with the spec\'s scope and whitelist and report Ready', async () => {
    await deribitKey('dk');
    await h.waitForCondition('dk', { type: 'Ready', status: 'True', reason: 'Issued' });
    const material = await h.readMaterial('dk');
    expect(material).toMatchObject({ version: 1, exchange: 'deribit' });
    expect(sim.state.getKey(material.apiKey)).toMatchObject({
      account_id: 7, deleted: false, asymmetric: false, max_scope: 'account:read trade:read_write wallet:read', ip_whitelist: ['127.0.0.1'],
    });
    expect(await acceptedByCcxt(material)).toBe(true);
    const logs = h.logs.join('\n');
    for (const s of secretsOf(material)) expect(logs).not.toContain(s);
  });

  it('should rotate to version 2 and revoke version 1 at the venue when the overlap ends', async () => {
    const v1 = await h.readMaterial('dk');
    await h.annotate('dk', { 'exkey.io/rotate': 'r1' });
    await h.waitForVersion('dk', 2);
    const v2 = await h.readMaterial('dk');
    expect(v2.version).toBe(2);
    expect(v2.apiKey).not.toBe(v1.apiKey);
    await waitFor(() => Promise.resolve(sim.state.getKey(v1.apiKey)?.deleted === true || undefined), { description: 'version 1 revoked at the venue', timeoutMs: 30_000 });
    expect(sim.state.getKey(v2.apiKey)).toMatchObject({ deleted: false, account_id: 7 });
    expect(await acceptedByCcxt(v1)).toBe(false);
    expect(await acceptedByCcxt(v2)).toBe(true);
  });

  it('should revoke the current key at the venue when the ExchangeKey is deleted', async () => {
    const current = await h.readMaterial('dk');
    await h.kube.send({ method: 'DELETE', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/dk` });
    await waitFor(async () => (await h.getKey('dk')) === undefined, { description: 'dk deleted', timeoutMs: 30_000 });
    expect(sim.state.getKey(current.apiKey)?.deleted).toBe(true);
    expect(sim.state.listKeys().filter((k) => !k.deleted && k.account_id === 7)).toEqual([]);
  });
});

describe('ExchangeKey with keyType ed25519 (deribit, main account)', () => {
  it('should register the public key only and hand out a private key the venue accepts', async () => {
    await deribitKey('ed', { keyType: 'ed25519', account: undefined, ipAllowlist: [] });
    await h.waitForCondition('ed', { type: 'Ready', status: 'True' });
    const material = await h.readMaterial('ed');
    expect(material.apiSecret).toBeUndefined();
    expect(material.privateKey).toMatch(/BEGIN PRIVATE KEY/);
    const venueKey = sim.state.getKey(material.apiKey);
    expect(venueKey).toMatchObject({ asymmetric: true, account_id: 100, max_scope: 'account:read trade:read_write wallet:read' });
    expect(venueKey?.public_key).toMatch(/BEGIN PUBLIC KEY/);

    // Signed independently of the adapter: Ed25519 over "timestamp\nnonce\ndata", base64url.
    const timestamp = Date.now();
    const signature = sign(null, Buffer.from(`${timestamp}\nit1\n`), material.privateKey ?? '').toString('base64url');
    const res = await request(`${sim.url}/api/v2/public/auth`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'public/auth', params: { grant_type: 'client_signature', client_id: material.apiKey, timestamp, nonce: 'it1', data: '', signature } }),
    });
    const answer = (await res.body.json()) as { result?: { access_token: string; scope: string } };
    expect(res.statusCode).toBe(200);
    expect(answer.result?.scope).toContain('trade:read_write');
  });
});
