// The Kraken simulator's gateway checks, with requests signed by hand (support.ts).

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../support/fake-clock.ts';
import { runningSimulator } from '../../../support/running-simulator.ts';
import { TRADER, rawCall, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const sim = runningSimulator(() => startSim({ clock, rateLimits: false }));
let nonce = 1_767_614_400_000;
const next = (): string => String(++nonce);

describe('kraken simulator authentication', () => {
  it('should answer GetApiKeyInfo in Kraken\'s shape when the call is signed correctly', async () => {
    const n = next();
    const answer = await rawCall(sim().url, { nonce: n });
    expect(answer).toMatchObject({ status: 200, json: { error: [] } });
    expect(answer.json.result).toEqual({
      apiKeyName: 'desk-a', apiKey: TRADER.apiKey, nonce: n, nonceWindow: 0, permissions: TRADER.permissions,
      iban: expect.any(String), validUntil: '0', queryFrom: '0', queryTo: '0',
      createdTime: '1767614400', modifiedTime: '1767614400', ipAllowlist: [], lastUsed: '1767614400',
    });
  });

  it('should accept a JSON body when the content type says JSON', async () => {
    expect((await rawCall(sim().url, { nonce: next(), json: true })).json.error).toEqual([]);
  });

  it.each([
    { name: 'should refuse with EAPI:Invalid key when API-Key is missing', call: { apiKey: null }, error: 'EAPI:Invalid key' },
    { name: 'should refuse with EAPI:Invalid key when the key is unknown', call: { apiKey: 'NOPE' }, error: 'EAPI:Invalid key' },
    { name: 'should refuse with EAPI:Invalid signature when signed with another secret', call: { secret: Buffer.alloc(64, 1).toString('base64') }, error: 'EAPI:Invalid signature' },
    { name: 'should refuse with EAPI:Invalid signature when the signature is garbage', call: { signature: 'AAAA' }, error: 'EAPI:Invalid signature' },
    { name: 'should refuse with EAPI:Invalid nonce when the nonce is missing', call: { nonce: null }, error: 'EAPI:Invalid nonce' },
    { name: 'should refuse with EAPI:Invalid nonce when the nonce is not a uint64', call: { nonce: '18446744073709551616' }, error: 'EAPI:Invalid nonce' },
  ])('$name', async ({ call, error }) => {
    const answer = await rawCall(sim().url, { nonce: next(), ...call });
    expect(answer).toMatchObject({ status: 200, json: { error: [error] } });
    expect(answer.json.result).toBeUndefined();
  });

  it('should refuse a reused nonce and a decreasing one when the key has no nonce window', async () => {
    const n = next();
    expect((await rawCall(sim().url, { nonce: n })).json.error).toEqual([]);
    expect((await rawCall(sim().url, { nonce: n })).json.error).toEqual(['EAPI:Invalid nonce']);
    expect((await rawCall(sim().url, { nonce: String(Number(n) - 1) })).json.error).toEqual(['EAPI:Invalid nonce']);
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual([]);
  });

  it('should not let a badly signed call burn a nonce when the signature is wrong', async () => {
    const n = next();
    expect((await rawCall(sim().url, { nonce: n, signature: 'AAAA' })).json.error).toEqual(['EAPI:Invalid signature']);
    expect((await rawCall(sim().url, { nonce: n })).json.error).toEqual([]);
  });

  it('should accept an out-of-order nonce inside the window once, and refuse one below it, when the key has a nonce window', async () => {
    sim().state.patchKey(TRADER.apiKey ?? '', { nonceWindow: 10 });
    const high = next();
    expect((await rawCall(sim().url, { nonce: high })).json.error).toEqual([]);
    const inside = String(Number(high) - 5);
    expect((await rawCall(sim().url, { nonce: inside })).json.error).toEqual([]);
    expect((await rawCall(sim().url, { nonce: inside })).json.error).toEqual(['EAPI:Invalid nonce']);
    expect((await rawCall(sim().url, { nonce: String(Number(high) - 11) })).json.error).toEqual(['EAPI:Invalid nonce']);
  });

  it('should refuse with EAPI:Invalid key when the key was deleted or is past validUntil', async () => {
    const created = sim().state.addKey({ apiKeyName: 'short', permissions: ['query-funds'], ipAllowlist: [], nonceWindow: 0, validUntilMs: clock.nowMs() + 60_000 });
    expect((await rawCall(sim().url, { apiKey: created.apiKey, secret: created.secret, nonce: next() })).json.error).toEqual([]);
    await clock.advance(60_000);
    expect((await rawCall(sim().url, { apiKey: created.apiKey, secret: created.secret, nonce: next() })).json.error).toEqual(['EAPI:Invalid key']);
    sim().state.deleteKey(TRADER.apiKey ?? '');
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual(['EAPI:Invalid key']);
  });

  it('should refuse with EGeneral:Permission denied when the caller is outside the IP allowlist', async () => {
    sim().state.patchKey(TRADER.apiKey ?? '', { ipAllowlist: ['10.0.0.0/8'] });
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual(['EGeneral:Permission denied']);
    sim().state.patchKey(TRADER.apiKey ?? '', { ipAllowlist: ['10.0.0.0/8', '127.0.0.1'] });
    expect((await rawCall(sim().url, { nonce: next() })).json.error).toEqual([]);
  });

  it('should refuse with EGeneral:Unknown method when the private method does not exist', async () => {
    expect((await rawCall(sim().url, { path: '/0/private/Withdraw', nonce: next() })).json.error).toEqual(['EGeneral:Unknown method']);
  });
});
