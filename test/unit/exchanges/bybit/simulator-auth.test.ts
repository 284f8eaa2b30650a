// The simulator must verify requests like Bybit: over the raw bytes received, with Bybit's time
// rule and Bybit's retCodes. Every request here is signed by hand (support.ts), not by exkey.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BybitSimulator } from '../../../../src/exchanges/bybit/simulator/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, SUB_UID, createBody, createSubKey, rawCall, referenceSign, startSim, type RawCall } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const NOW = clock.nowMs();
let sim: BybitSimulator;
let sub: { apiKey: string; secret: string };
let deleted: { apiKey: string; secret: string };
let boundElsewhere: { apiKey: string; secret: string };
let boundHere: { apiKey: string; secret: string };
let expired: { apiKey: string; secret: string };

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
  sub = await createSubKey(sim.url, clock, { permissions: { Spot: ['SpotTrade'], Wallet: ['AccountTransfer', 'SubMemberTransferList'] } });
  deleted = await createSubKey(sim.url, clock);
  await rawCall(sim.url, { method: 'POST', path: '/v5/user/delete-sub-api', body: JSON.stringify({ apikey: deleted.apiKey }) }, clock);
  boundElsewhere = await createSubKey(sim.url, clock, { ips: '10.1.2.3,10.1.2.4' });
  boundHere = await createSubKey(sim.url, clock, { ips: '10.1.2.3,127.0.0.1' });
  expired = await createSubKey(sim.url, clock);
  sim.state.patchKey(expired.apiKey, { expiredAt: '2026-01-01T00:00:00Z' });
});

afterAll(async () => {
  await sim.stop();
});

const queryApi: RawCall = { method: 'GET', path: '/v5/user/query-api' };
const listSub: RawCall = { method: 'GET', path: '/v5/user/sub-apikeys', query: `subMemberId=${SUB_UID}&limit=20` };

describe('simulator authentication', () => {
  it.each<{ name: string; call: () => RawCall; retCode: number; status?: number }>([
    { name: 'should accept when a GET is signed correctly', call: () => queryApi, retCode: 0 },
    { name: 'should accept when a GET with a query string is signed over it as sent', call: () => listSub, retCode: 0 },
    { name: 'should accept when the recv window header is absent and unsigned', call: () => ({ ...queryApi, recvWindow: null }), retCode: 0 },
    { name: 'should accept when the timestamp is exactly recv window old', call: () => ({ ...queryApi, timestamp: NOW - 5000 }), retCode: 0 },
    { name: 'should accept when the timestamp is 999 ms ahead', call: () => ({ ...queryApi, timestamp: NOW + 999 }), retCode: 0 },
    { name: 'should accept when a sub key calls query-api', call: () => ({ ...queryApi, apiKey: sub.apiKey, secret: sub.secret }), retCode: 0 },
    { name: 'should accept when the caller IP is bound to the key', call: () => ({ ...queryApi, apiKey: boundHere.apiKey, secret: boundHere.secret }), retCode: 0 },
    { name: 'should refuse with 10004 when the signature is wrong', call: () => ({ ...queryApi, sign: 'f'.repeat(64) }), retCode: 10004 },
    { name: 'should refuse with 10004 when signed with another secret', call: () => ({ ...queryApi, secret: sub.secret }), retCode: 10004 },
    { name: 'should refuse with 10004 when the query string sent differs from the one signed', call: () => ({ ...listSub, signedPayload: `limit=20&subMemberId=${SUB_UID}` }), retCode: 10004 },
    { name: 'should refuse with 10004 when the body sent is a re-serialisation of the one signed', call: () => ({ method: 'POST', path: '/v5/user/create-sub-api', body: createBody().replaceAll(',', ', '), signedPayload: createBody() }), retCode: 10004 },
    { name: 'should refuse with 10004 when the recv window is signed but not sent', call: () => ({ ...queryApi, recvWindow: null, sign: referenceSign('MASTERSECRET0000000000000000000000001', `${NOW}${MASTER_KEY}5000`) }), retCode: 10004 },
    { name: 'should refuse with 10002 when the timestamp is older than the recv window', call: () => ({ ...queryApi, timestamp: NOW - 5001 }), retCode: 10002 },
    { name: 'should refuse with 10002 when the timestamp is older than a custom recv window', call: () => ({ ...queryApi, timestamp: NOW - 1001, recvWindow: '1000' }), retCode: 10002 },
    { name: 'should refuse with 10002 when the timestamp is 1 s in the future', call: () => ({ ...queryApi, timestamp: NOW + 1000 }), retCode: 10002 },
    { name: 'should refuse with 10001 when the timestamp is not a number', call: () => ({ ...queryApi, timestamp: Number.NaN }), retCode: 10001 },
    { name: 'should refuse with 10001 when the signature header is empty', call: () => ({ ...queryApi, sign: '' }), retCode: 10001 },
    { name: 'should refuse with 10003 (HTTP 401) when the key is unknown', call: () => ({ ...queryApi, apiKey: 'NOSUCHKEY000000000' }), retCode: 10003, status: 401 },
    { name: 'should refuse with 10003 (HTTP 401) when the key is deleted', call: () => ({ ...queryApi, apiKey: deleted.apiKey, secret: deleted.secret }), retCode: 10003, status: 401 },
    { name: 'should refuse with 10003 (HTTP 401) when no key is sent', call: () => ({ ...queryApi, apiKey: '' }), retCode: 10003, status: 401 },
    { name: 'should refuse with 33004 when the key has expired', call: () => ({ ...queryApi, apiKey: expired.apiKey, secret: expired.secret }), retCode: 33004 },
    { name: 'should refuse with 10005 when a sub key calls create', call: () => ({ method: 'POST', path: '/v5/user/create-sub-api', body: createBody(), apiKey: sub.apiKey, secret: sub.secret }), retCode: 10005 },
    { name: 'should refuse with 10005 when a sub key lists sub-account keys', call: () => ({ ...listSub, apiKey: sub.apiKey, secret: sub.secret }), retCode: 10005 },
    { name: "should refuse with 10010 when the caller's IP is not bound", call: () => ({ ...queryApi, apiKey: boundElsewhere.apiKey, secret: boundElsewhere.secret }), retCode: 10010 },
    { name: 'should refuse with 10017 (HTTP 404) when the route does not exist', call: () => ({ method: 'GET', path: '/v5/user/nope' }), retCode: 10017, status: 404 },
  ])('$name', async ({ call, retCode, status = 200 }) => {
    const answer = await rawCall(sim.url, call(), clock);
    expect(answer.json.retCode, answer.json.retMsg).toBe(retCode);
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ retExtInfo: {}, time: NOW });
  });

  it('should name the server time and window when refusing a stale timestamp', async () => {
    const answer = await rawCall(sim.url, { ...queryApi, timestamp: NOW - 6000 }, clock);
    expect(answer.json.retMsg).toBe(
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${NOW - 6000}],server_timestamp[${NOW}],recv_window[5000]`,
    );
  });

  it('should show the origin string but never the secret when refusing a signature', async () => {
    const answer = await rawCall(sim.url, { ...queryApi, sign: '0'.repeat(64) }, clock);
    expect(answer.json.retMsg).toBe(`error sign! origin_string[${NOW}${MASTER_KEY}5000]`);
    expect(answer.json.retMsg).not.toContain('MASTERSECRET');
  });

  it('should serve the server time publicly when /v5/market/time is called without auth', async () => {
    const res = await fetch(`${sim.url}/v5/market/time`);
    expect(await res.json()).toEqual({
      retCode: 0, retMsg: 'OK', result: { timeSecond: String(NOW / 1000), timeNano: `${NOW}000000` }, retExtInfo: {}, time: NOW,
    });
  });
});

describe('simulator key endpoints', () => {
  it('should return an 18-char key and a 36-char secret when a master key creates a sub key', async () => {
    const answer = await rawCall(sim.url, { method: 'POST', path: '/v5/user/create-sub-api', body: createBody({ note: 'hello' }) }, clock);
    expect(answer.json.result).toMatchObject({ note: 'hello', readOnly: 0, permissions: { Spot: ['SpotTrade'], ContractTrade: [] } });
    expect(answer.json.result.apiKey).toMatch(/^[A-Za-z0-9]{18}$/);
    expect(answer.json.result.secret).toMatch(/^[A-Za-z0-9]{36}$/);
  });

  it.each<{ name: string; body: Record<string, unknown> }>([
    { name: 'should refuse with 10001 when subuid is not a number', body: { subuid: SUB_UID } },
    { name: 'should refuse with 10001 when subuid is the master uid', body: { subuid: 100000001 } },
    { name: 'should refuse with 10001 when readOnly is not 0 or 1', body: { readOnly: 2 } },
    { name: 'should refuse with 10001 when no permission is passed', body: { permissions: {} } },
    { name: 'should refuse with 10001 when a sub key is asked to withdraw', body: { permissions: { Wallet: ['Withdraw'] } } },
    { name: 'should refuse with 10001 when an ip is malformed', body: { ips: '10.0.0.1,not-an-ip' } },
  ])('$name', async ({ body }) => {
    const answer = await rawCall(sim.url, { method: 'POST', path: '/v5/user/create-sub-api', body: createBody(body) }, clock);
    expect(answer.json.retCode).toBe(10001);
  });

  it('should describe the key without its secret when the key queries itself', async () => {
    const answer = await rawCall(sim.url, { ...queryApi, apiKey: boundHere.apiKey, secret: boundHere.secret }, clock);
    expect(answer.json.result).toMatchObject({
      apiKey: boundHere.apiKey, secret: '', readOnly: 0, ips: ['10.1.2.3', '127.0.0.1'], isMaster: false,
      parentUid: '100000001', userID: Number(SUB_UID), expiredAt: '', createdAt: '2026-01-05T12:00:00Z',
    });
  });

  it('should report a 90-day expiry when the key has no IP binding', async () => {
    const answer = await rawCall(sim.url, { ...queryApi, apiKey: sub.apiKey, secret: sub.secret }, clock);
    expect(answer.json.result).toMatchObject({ ips: ['*'], expiredAt: '2026-04-05T12:00:00Z', deadlineDay: 90 });
  });

  it('should page with nextPageCursor when a sub account has more keys than the limit', async () => {
    const first = await rawCall(sim.url, { ...listSub, query: `subMemberId=${SUB_UID}&limit=2` }, clock);
    expect(first.json.result.result).toHaveLength(2);
    expect(first.json.result.result[0]).toMatchObject({ secret: '******', readOnly: false, flag: 'hmac', status: 3 });
    const cursor: string = first.json.result.nextPageCursor;
    expect(cursor).not.toBe('');
    const second = await rawCall(sim.url, { ...listSub, query: `subMemberId=${SUB_UID}&limit=2&cursor=${cursor}` }, clock);
    const firstIds: string[] = first.json.result.result.map((k: { apiKey: string }) => k.apiKey);
    const secondIds: string[] = second.json.result.result.map((k: { apiKey: string }) => k.apiKey);
    expect(secondIds.length).toBeGreaterThan(0);
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  it('should let a sub key delete itself but not name another key', async () => {
    const victim = await createSubKey(sim.url, clock, { permissions: { Wallet: ['AccountTransfer'] } });
    const naming = await rawCall(sim.url, { method: 'POST', path: '/v5/user/delete-sub-api', body: JSON.stringify({ apikey: sub.apiKey }), apiKey: victim.apiKey, secret: victim.secret }, clock);
    expect(naming.json.retCode).toBe(10001);
    const self = await rawCall(sim.url, { method: 'POST', path: '/v5/user/delete-sub-api', body: '{}', apiKey: victim.apiKey, secret: victim.secret }, clock);
    expect(self.json.retCode).toBe(0);
    expect(sim.state.getKey(victim.apiKey)?.deleted).toBe(true);
  });

  it('should refuse with 10001 when the master deletes a key that does not exist', async () => {
    const answer = await rawCall(sim.url, { method: 'POST', path: '/v5/user/delete-sub-api', body: JSON.stringify({ apikey: deleted.apiKey }) }, clock);
    expect(answer.json.retCode).toBe(10001);
  });
});

describe('simulator rate limits', () => {
  it('should refuse with 10006 when create exceeds 1/s and allow again after a second', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock });
    try {
      const create = (): Promise<Awaited<ReturnType<typeof rawCall>>> =>
        rawCall(limited.url, { method: 'POST', path: '/v5/user/create-sub-api', body: createBody() }, limitedClock);
      const first = await create();
      expect(first.json.retCode).toBe(0);
      expect(first.headers['x-bapi-limit']).toBe('1');
      expect(first.headers['x-bapi-limit-status']).toBe('0');
      const second = await create();
      expect(second.json.retCode).toBe(10006);
      expect(second.status).toBe(200);
      expect(second.headers['x-bapi-limit-reset-timestamp']).toBe(String(limitedClock.nowMs() + 1000));
      await limitedClock.advance(1000);
      expect((await create()).json.retCode).toBe(0);
    } finally {
      await limited.stop();
    }
  });

  it('should allow 5 deletes per second per UID and refuse the sixth with 10006', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const answer = await rawCall(limited.url, { method: 'POST', path: '/v5/user/delete-sub-api', body: JSON.stringify({ apikey: `missing${i}` }) }, limitedClock);
        codes.push(answer.json.retCode);
      }
      expect(codes).toEqual([10001, 10001, 10001, 10001, 10001, 10006]);
    } finally {
      await limited.stop();
    }
  });

  it('should not limit when rate limits are switched off', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock, rateLimits: false });
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await rawCall(limited.url, { method: 'POST', path: '/v5/user/create-sub-api', body: createBody() }, limitedClock);
        expect(answer.json.retCode).toBe(0);
        expect(answer.headers['x-bapi-limit']).toBeUndefined();
      }
    } finally {
      await limited.stop();
    }
  });
});
