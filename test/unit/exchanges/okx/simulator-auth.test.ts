// The simulator must verify requests like OKX: over the raw bytes received, with OKX's timestamp
// rule, passphrase check and OKX's codes and HTTP statuses. Every request here is signed by hand
// (support.ts), not by exkey.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OkxSimulator } from '../../../../src/exchanges/okx/simulator/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_SECRET, SUB_ACCT, as, createBody, createSubKey, rawCall, referenceSign, startSim, type RawCall, type SubKey } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const NOW = clock.nowMs();
const iso = (ms: number): string => new Date(ms).toISOString();
let sim: OkxSimulator;
let sub: SubKey;
let deleted: SubKey;
let boundElsewhere: SubKey;
let boundHere: SubKey;
let boundToSegment: SubKey;

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
  sub = await createSubKey(sim.url, clock);
  deleted = await createSubKey(sim.url, clock);
  await rawCall(sim.url, { method: 'POST', path: '/api/v5/users/subaccount/delete-apikey', body: JSON.stringify({ subAcct: SUB_ACCT, apiKey: deleted.apiKey }) }, clock);
  boundElsewhere = await createSubKey(sim.url, clock, { ip: '10.1.2.3,10.1.2.4' });
  boundHere = await createSubKey(sim.url, clock, { ip: '10.1.2.3,127.0.0.1' });
  boundToSegment = await createSubKey(sim.url, clock, { ip: '127.0.0.0/8' });
});

afterAll(async () => {
  await sim.stop();
});

const config: RawCall = { method: 'GET', path: '/api/v5/account/config' };
const list: RawCall = { method: 'GET', path: '/api/v5/users/subaccount/apikey', query: `subAcct=${SUB_ACCT}` };
const create = (overrides: Record<string, unknown> = {}): RawCall => ({ method: 'POST', path: '/api/v5/users/subaccount/apikey', body: createBody(overrides) });

describe('simulator authentication', () => {
  it.each<{ name: string; call: () => RawCall; code: string; status?: number }>([
    { name: 'should accept when a GET is signed correctly', call: () => config, code: '0' },
    { name: 'should accept when a GET with a query string is signed over it as sent', call: () => list, code: '0' },
    { name: 'should accept when the timestamp is 30 s old', call: () => ({ ...config, timestamp: iso(NOW - 30_000) }), code: '0' },
    { name: 'should accept when the timestamp is 30 s ahead', call: () => ({ ...config, timestamp: iso(NOW + 30_000) }), code: '0' },
    { name: 'should accept when a sub-account key reads its config', call: () => ({ ...config, ...as(sub) }), code: '0' },
    { name: 'should accept when the caller IP is bound to the key', call: () => ({ ...config, ...as(boundHere) }), code: '0' },
    { name: 'should accept when the caller IP is inside a bound segment', call: () => ({ ...config, ...as(boundToSegment) }), code: '0' },
    { name: 'should refuse with 50113 (HTTP 401) when the signature is wrong', call: () => ({ ...config, sign: 'A'.repeat(44) }), code: '50113', status: 401 },
    { name: 'should refuse with 50113 when signed with another secret', call: () => ({ ...config, secret: sub.secret }), code: '50113', status: 401 },
    { name: 'should refuse with 50113 when the query string sent differs from the one signed', call: () => ({ ...list, signedTail: `/api/v5/users/subaccount/apikey?subAcct=${SUB_ACCT}&x=1` }), code: '50113', status: 401 },
    { name: 'should refuse with 50113 when the body sent is a re-serialisation of the one signed', call: () => ({ ...create(), body: '{"subAcct": "x"}', signedTail: '/api/v5/users/subaccount/apikey{"subAcct":"x"}' }), code: '50113', status: 401 },
    { name: 'should refuse with 50102 (HTTP 401) when the timestamp is older than 30 s', call: () => ({ ...config, timestamp: iso(NOW - 30_001) }), code: '50102', status: 401 },
    { name: 'should refuse with 50102 when the timestamp is more than 30 s ahead', call: () => ({ ...config, timestamp: iso(NOW + 30_001) }), code: '50102', status: 401 },
    { name: 'should refuse with 50112 when the timestamp is Unix milliseconds', call: () => ({ ...config, timestamp: String(NOW) }), code: '50112', status: 401 },
    { name: 'should refuse with 50112 when the timestamp has no milliseconds', call: () => ({ ...config, timestamp: '2026-01-05T12:00:00Z' }), code: '50112', status: 401 },
    { name: 'should refuse with 50105 (HTTP 401) when the passphrase is wrong', call: () => ({ ...config, passphrase: 'Wrong-Pass1!' }), code: '50105', status: 401 },
    { name: 'should refuse with 50105 when a sub key is sent with the master passphrase', call: () => ({ ...config, apiKey: sub.apiKey, secret: sub.secret }), code: '50105', status: 401 },
    { name: 'should refuse with 50111 (HTTP 401) when the key is unknown', call: () => ({ ...config, apiKey: '00000000-0000-4000-8000-000000000000' }), code: '50111', status: 401 },
    { name: 'should refuse with 50111 when the key was deleted', call: () => ({ ...config, ...as(deleted) }), code: '50111', status: 401 },
    { name: 'should refuse with 50103 when no key is sent', call: () => ({ ...config, apiKey: '' }), code: '50103', status: 401 },
    { name: 'should refuse with 50104 when no passphrase is sent', call: () => ({ ...config, passphrase: '' }), code: '50104', status: 401 },
    { name: 'should refuse with 50106 when no signature is sent', call: () => ({ ...config, sign: '' }), code: '50106', status: 401 },
    { name: 'should refuse with 50107 when no timestamp is sent', call: () => ({ ...config, timestamp: '' }), code: '50107', status: 401 },
    { name: "should refuse with 50110 (HTTP 401) when the caller's IP is not bound", call: () => ({ ...config, ...as(boundElsewhere) }), code: '50110', status: 401 },
    { name: 'should refuse with 59500 when a sub key creates a key', call: () => ({ ...create(), ...as(sub) }), code: '59500' },
    { name: 'should refuse with 59500 when a sub key lists keys', call: () => ({ ...list, ...as(sub) }), code: '59500' },
    { name: 'should refuse with 50115 (HTTP 405) when the method is wrong', call: () => ({ method: 'PUT', path: '/api/v5/users/subaccount/delete-apikey', body: '{}' }), code: '50115', status: 405 },
  ])('$name', async ({ call, code, status = 200 }) => {
    const answer = await rawCall(sim.url, call(), clock);
    expect(answer.json.code, answer.json.msg).toBe(code);
    expect(answer.status).toBe(status);
    expect(Array.isArray(answer.json.data)).toBe(true);
  });

  it("should name the caller's IP when refusing an unbound one", async () => {
    const answer = await rawCall(sim.url, { ...config, ...as(boundElsewhere) }, clock);
    expect(answer.json.msg).toBe("Your IP 127.0.0.1 is not included in your API key's IP whitelist.");
  });

  it('should refuse key management with 50035 (HTTP 403) when the master key has no IP binding', async () => {
    const unbound = await startSim({ clock, rateLimits: false, masterIps: [] });
    try {
      const answer = await rawCall(unbound.url, create(), clock);
      expect([answer.status, answer.json.code]).toEqual([403, '50035']);
      expect((await rawCall(unbound.url, config, clock)).json.code).toBe('0');
    } finally {
      await unbound.stop();
    }
  });

  it('should serve the server time publicly when /api/v5/public/time is called without auth', async () => {
    const res = await fetch(`${sim.url}/api/v5/public/time`);
    expect(await res.json()).toEqual({ code: '0', msg: '', data: [{ ts: String(NOW) }] });
  });

  it('should answer 404 when the path is unknown', async () => {
    const res = await fetch(`${sim.url}/api/v5/nope`);
    expect(res.status).toBe(404);
  });

  it('should accept the independent reference signature over the exact prehash', async () => {
    const timestamp = iso(NOW);
    const sign = referenceSign(MASTER_SECRET, `${timestamp}GET/api/v5/account/config`);
    expect((await rawCall(sim.url, { ...config, timestamp, sign }, clock)).json.code).toBe('0');
  });
});

describe('simulator key endpoints', () => {
  it('should return a UUID key, a 32-hex-digit secret and the passphrase when a master key creates a sub key', async () => {
    const answer = await rawCall(sim.url, create({ label: 'hello01', ip: '10.0.0.1' }), clock);
    expect(answer.json.data[0]).toMatchObject({ subAcct: SUB_ACCT, label: 'hello01', perm: 'read_only,trade', ip: '10.0.0.1', passphrase: 'Sub-Pass1!', ts: String(NOW) });
    expect(answer.json.data[0].apiKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(answer.json.data[0].secretKey).toMatch(/^[0-9A-F]{32}$/);
  });

  it.each<{ name: string; body: Record<string, unknown>; code: string; status?: number }>([
    { name: 'should refuse with 50014 (HTTP 400) when subAcct is missing', body: { subAcct: undefined }, code: '50014', status: 400 },
    { name: 'should refuse with 50014 when the label is missing', body: { label: '' }, code: '50014', status: 400 },
    { name: 'should refuse with 50014 when the passphrase is missing', body: { passphrase: undefined }, code: '50014', status: 400 },
    { name: 'should refuse with 59505 when the passphrase breaks the rule', body: { passphrase: 'password' }, code: '59505' },
    { name: 'should refuse with 59504 when withdraw is asked for', body: { perm: 'read_only,withdraw' }, code: '59504' },
    { name: 'should refuse with 51000 (HTTP 400) when perm is unknown', body: { perm: 'earn' }, code: '51000', status: 400 },
    { name: 'should refuse with 51000 when an ip is malformed', body: { ip: '10.0.0.1,not-an-ip' }, code: '51000', status: 400 },
    { name: 'should refuse with 59503 when more than 20 IPs are bound', body: { ip: Array.from({ length: 21 }, (_, i) => `10.0.0.${i + 1}`).join(',') }, code: '59503' },
    { name: 'should refuse with 59510 when the sub-account name is not valid', body: { subAcct: 'a b' }, code: '59510' },
  ])('$name', async ({ body, code, status = 200 }) => {
    const answer = await rawCall(sim.url, create(body), clock);
    expect(answer.json.code, answer.json.msg).toBe(code);
    expect(answer.status).toBe(status);
  });

  it('should refuse with 59502 when the label is already used in the sub-account', async () => {
    await createSubKey(sim.url, clock, { label: 'dup0001' });
    expect((await rawCall(sim.url, create({ label: 'dup0001' }), clock)).json.code).toBe('59502');
  });

  it('should refuse with 59501 when the sub-account already holds 50 keys', async () => {
    for (let i = 0; i < 50; i++) await createSubKey(sim.url, clock, { subAcct: 'fullacct01', label: `k${i}` });
    expect((await rawCall(sim.url, create({ subAcct: 'fullacct01' }), clock)).json.code).toBe('59501');
  });

  it.each<{ name: string; body: string; contentType?: string; code: string }>([
    { name: 'should refuse with 50000 when the POST body is empty', body: '', code: '50000' },
    { name: 'should refuse with 50002 when the body is not JSON', body: '{nope', code: '50002' },
    { name: 'should refuse with 50006 when the content type is not JSON', body: createBody(), contentType: 'text/plain', code: '50006' },
  ])('$name', async ({ body, contentType, code }) => {
    const answer = await rawCall(sim.url, { ...create(), body, ...(contentType ? { contentType } : {}) }, clock);
    expect([answer.status, answer.json.code]).toEqual([400, code]);
  });

  it('should describe the key, its binding and its master when the key reads its config', async () => {
    const answer = await rawCall(sim.url, { ...config, ...as(boundHere) }, clock);
    expect(answer.json.data[0]).toMatchObject({ ip: '10.1.2.3,127.0.0.1', perm: 'read_only,trade', mainUid: '100000000000000001' });
    expect(answer.json.data[0].uid).not.toBe('100000000000000001');
    expect(answer.json.data[0]).not.toHaveProperty('secretKey');
  });

  it('should list live keys without secrets and filter by apiKey when asked', async () => {
    const all = await rawCall(sim.url, list, clock);
    const ids = all.json.data.map((k: { apiKey: string }) => k.apiKey);
    expect(ids).toContain(sub.apiKey);
    expect(ids).not.toContain(deleted.apiKey);
    expect(all.json.data[0]).not.toHaveProperty('secretKey');
    const one = await rawCall(sim.url, { ...list, query: `subAcct=${SUB_ACCT}&apiKey=${sub.apiKey}` }, clock);
    expect(one.json.data).toEqual([{ label: expect.any(String), apiKey: sub.apiKey, perm: 'read_only,trade', ip: '', ts: String(NOW) }]);
  });

  it('should refuse with 59506 when the master deletes a key that does not exist', async () => {
    const answer = await rawCall(sim.url, { method: 'POST', path: '/api/v5/users/subaccount/delete-apikey', body: JSON.stringify({ subAcct: SUB_ACCT, apiKey: deleted.apiKey }) }, clock);
    expect([answer.status, answer.json.code]).toEqual([200, '59506']);
  });

  it('should replace perm and unbind IPs when the master resets a key with ip ""', async () => {
    const key = await createSubKey(sim.url, clock, { ip: '10.9.9.9' });
    const answer = await rawCall(sim.url, {
      method: 'POST', path: '/api/v5/users/subaccount/modify-apikey', body: JSON.stringify({ subAcct: SUB_ACCT, apiKey: key.apiKey, perm: 'read_only', ip: '' }),
    }, clock);
    expect(answer.json.data[0]).toMatchObject({ apiKey: key.apiKey, perm: 'read_only', ip: '' });
    expect(sim.state.getKey(key.apiKey)).toMatchObject({ perm: ['read_only'], ips: [] });
  });
});

describe('simulator key expiry', () => {
  it('should delete an unbound trade key after 14 days without a signed call and keep a bound one', async () => {
    const idleClock = new FakeClock('2026-01-05T12:00:00Z');
    const idle = await startSim({ clock: idleClock, rateLimits: false });
    try {
      const unbound = await createSubKey(idle.url, idleClock);
      const bound = await createSubKey(idle.url, idleClock, { ip: '127.0.0.1' });
      const readOnly = await createSubKey(idle.url, idleClock, { perm: 'read_only' });
      await idleClock.advance(13 * 86_400_000);
      expect((await rawCall(idle.url, { ...config, ...as(unbound) }, idleClock)).json.code).toBe('0');
      await idleClock.advance(14 * 86_400_000 + 1);
      const codes = await Promise.all([unbound, bound, readOnly].map(async (k) => (await rawCall(idle.url, { ...config, ...as(k) }, idleClock)).json.code));
      expect(codes).toEqual(['50111', '0', '0']);
      expect(idle.state.getKey(unbound.apiKey)?.deleted).toBe(true);
    } finally {
      await idle.stop();
    }
  });
});

describe('simulator rate limits', () => {
  it('should refuse with 50011 (HTTP 429) when create exceeds 1/s and allow again after a second', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock });
    try {
      const first = await rawCall(limited.url, create(), limitedClock);
      expect(first.json.code).toBe('0');
      const second = await rawCall(limited.url, create(), limitedClock);
      expect([second.status, second.json.code, second.json.msg]).toEqual([429, '50011', 'Too Many Requests']);
      await limitedClock.advance(1000);
      expect((await rawCall(limited.url, create(), limitedClock)).json.code).toBe('0');
    } finally {
      await limited.stop();
    }
  });

  it('should allow 5 config reads per 2 s per user and refuse the sixth', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock });
    try {
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        codes.push((await rawCall(limited.url, config, limitedClock)).json.code);
        await limitedClock.advance(100);
      }
      expect(codes).toEqual(['0', '0', '0', '0', '0', '50011']);
      await limitedClock.advance(1500);
      expect((await rawCall(limited.url, config, limitedClock)).json.code).toBe('0');
    } finally {
      await limited.stop();
    }
  });

  it('should not count refused calls when authentication fails', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock });
    try {
      await rawCall(limited.url, { ...create(), sign: 'x' }, limitedClock);
      expect((await rawCall(limited.url, create(), limitedClock)).json.code).toBe('0');
    } finally {
      await limited.stop();
    }
  });
});
