// The Coinbase simulator's control API (a human in the CDP portal), faults and limits.

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../support/fake-clock.ts';
import { runningSimulator } from '../../../support/running-simulator.ts';
import { admin, cdpPair, getPermissions, handToken, hostOf, startSim, type CdpPair } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const sim = runningSimulator(() => startSim({ clock }));

const bearer = (pair: CdpPair): string => `Bearer ${handToken({ pair, nowSeconds: Math.floor(clock.nowMs() / 1000) }, hostOf(sim().url))}`;

describe('coinbase simulator control API', () => {
  it('should generate an ECDSA pair, show the private key once and keep only the public key, when no publicKey is given', async () => {
    const created = await admin(sim().url, 'POST', 'keys', { can_view: true, can_trade: true });
    expect(created.status).toBe(201);
    const { key } = created.json;
    expect(key).toMatchObject({ alg: 'ES256', can_view: true, can_trade: true, can_transfer: false, deleted: false });
    expect(key.name).toMatch(/^organizations\/[0-9a-f-]+\/apiKeys\/[0-9a-f-]+$/);
    expect(key.privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    const fetched = await admin(sim().url, 'GET', `keys/${encodeURIComponent(key.name)}`);
    expect(fetched.json.key).not.toHaveProperty('privateKey');
    expect(JSON.stringify(sim().state.listKeys())).not.toContain('PRIVATE');
    expect((await getPermissions(sim().url, bearer({ name: key.name, privateKey: key.privateKey, publicKey: key.publicKey }))).status).toBe(200);
  });

  it('should register a public key, patch it and delete it, when a human manages the key', async () => {
    const pair = cdpPair('Ed25519');
    const created = await admin(sim().url, 'POST', 'keys', { name: pair.name, publicKey: pair.publicKey, can_view: true, ipAllowlist: ['10.0.0.0/8'] });
    expect(created.json.key).toMatchObject({ alg: 'EdDSA', ipAllowlist: ['10.0.0.0/8'] });
    expect(created.json.key).not.toHaveProperty('privateKey');
    const id = encodeURIComponent(pair.name);
    expect((await admin(sim().url, 'PATCH', `keys/${id}`, { can_transfer: true })).json.key).toMatchObject({ can_transfer: true });
    expect(JSON.parse((await getPermissions(sim().url, bearer(pair))).text)).toMatchObject({ can_transfer: true });
    expect((await admin(sim().url, 'DELETE', `keys/${id}`)).json.key).toMatchObject({ deleted: true });
    expect((await admin(sim().url, 'DELETE', `keys/${id}`)).status).toBe(404);
    expect((await getPermissions(sim().url, bearer(pair))).status).toBe(401);
  });

  it.each([
    { name: 'should refuse a public key that is not a PEM', body: { publicKey: 'nope' }, status: 400 },
    { name: 'should refuse a flag that is not a boolean', body: { can_trade: 'yes' }, status: 400 },
    { name: 'should refuse an unknown algorithm', body: { algorithm: 'RSA' }, status: 400 },
  ])('$name', async ({ body, status }) => {
    expect((await admin(sim().url, 'POST', 'keys', body)).status).toBe(status);
  });

  it('should answer the injected Coinbase error when a coinbaseError fault is set', async () => {
    const pair = cdpPair();
    sim().state.addKey({ name: pair.name, publicKeyPem: pair.publicKey, can_view: true, can_trade: false, can_transfer: false });
    await admin(sim().url, 'POST', 'faults', { kind: 'coinbaseError', status: 403, error: 'PERMISSION_DENIED', times: 1 });
    const answer = await getPermissions(sim().url, bearer(pair));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'PERMISSION_DENIED' });
    expect((await getPermissions(sim().url, bearer(pair))).status).toBe(200);
  });

  it('should answer 429 with Retry-After when a user exceeds 30 requests per second', async () => {
    const pair = cdpPair();
    sim().state.addKey({ name: pair.name, publicKeyPem: pair.publicKey, can_view: true, can_trade: false, can_transfer: false });
    const token = bearer(pair);
    for (let i = 0; i < 30; i++) expect((await getPermissions(sim().url, token)).status).toBe(200);
    expect((await getPermissions(sim().url, token)).status).toBe(429);
    await clock.advance(1000);
    expect((await getPermissions(sim().url, bearer(pair))).status).toBe(200);
  });
});
