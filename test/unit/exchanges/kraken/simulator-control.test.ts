// The Kraken simulator's control API (a human adding, editing and deleting keys), faults and limits.

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../support/fake-clock.ts';
import { runningSimulator } from '../../../support/running-simulator.ts';
import { TRADER, admin, rawCall, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const sim = runningSimulator(() => startSim({ clock }));
let nonce = 1_767_614_400_000;
const next = (): string => String(++nonce);

describe('kraken simulator control API', () => {
  it('should add a key with a fresh 56-char key and 88-char secret, shown once, when a human creates one', async () => {
    const created = await admin(sim().url, 'POST', 'keys', { apiKeyName: 'bot', permissions: ['query-funds'], ipAllowlist: ['127.0.0.1'], validUntil: 1_800_000_000 });
    expect(created.status).toBe(201);
    expect(created.json.key).toMatchObject({ apiKeyName: 'bot', validUntil: '2027-01-15T08:00:00.000Z', deleted: false });
    expect(created.json.key.apiKey).toMatch(/^[A-Za-z0-9+/]{56}$/);
    expect(Buffer.from(created.json.key.secret, 'base64')).toHaveLength(64);
    const listed = await admin(sim().url, 'GET', `keys/${encodeURIComponent(created.json.key.apiKey)}`);
    expect(listed.json.key).not.toHaveProperty('secret');
    const answer = await rawCall(sim().url, { apiKey: created.json.key.apiKey, secret: created.json.key.secret, nonce: next() });
    expect(answer.json.result).toMatchObject({ permissions: ['query-funds'], ipAllowlist: ['127.0.0.1'], validUntil: '1800000000' });
  });

  it('should patch and delete a key, 404 afterwards, when a human edits then deletes it', async () => {
    const id = encodeURIComponent(TRADER.apiKey ?? '');
    expect((await admin(sim().url, 'PATCH', `keys/${id}`, { permissions: ['query-funds', 'withdraw-funds'] })).json.key.permissions).toEqual(['query-funds', 'withdraw-funds']);
    expect((await admin(sim().url, 'DELETE', `keys/${id}`)).json.key).toMatchObject({ deleted: true });
    expect((await admin(sim().url, 'DELETE', `keys/${id}`)).status).toBe(404);
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual(['EAPI:Invalid key']);
  });

  it.each([
    { name: 'should refuse a new key without permissions', body: { apiKeyName: 'x' }, message: /permissions/ },
    { name: 'should refuse a negative nonce window', body: { permissions: [], nonceWindow: -1 }, message: /nonceWindow/ },
    { name: 'should refuse a secret that is not base64', body: { permissions: [], secret: 'not base64!' }, message: /base64/ },
  ])('$name', async ({ body, message }) => {
    const answer = await admin(sim().url, 'POST', 'keys', body);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(message);
  });

  it('should answer a Kraken error under HTTP 200 and log it when a krakenError fault is set', async () => {
    await admin(sim().url, 'POST', 'faults', { kind: 'krakenError', error: 'EService:Unavailable', times: 1 });
    expect(await rawCall(sim().url, { nonce: next() })).toMatchObject({ status: 200, json: { error: ['EService:Unavailable'] } });
    expect(sim().state.recentRequests().at(-1)).toMatchObject({ path: '/0/private/GetApiKeyInfo', error: 'EService:Unavailable', fault: 'krakenError#1' });
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual([]);
  });

  it('should answer EAPI:Rate limit exceeded when a key spends more than the Starter counter', async () => {
    for (let i = 0; i < 15; i++) expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual([]);
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual(['EAPI:Rate limit exceeded']);
    await clock.advance(45_000);
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual([]);
  });
});
