// The simulator's control API (/__sim/) and the master's key-changing endpoints: what tests and
// other clients use to change keys venue-side and to inject faults.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BinanceSimulator } from '../../../../src/exchanges/binance/simulator/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { SUB_EMAIL, createSubKey, rawCall, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
let sim: BinanceSimulator;

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(async () => {
  await admin('POST', '/__sim/reset');
});

const email = `email=${encodeURIComponent(SUB_EMAIL)}`;

describe('binance simulator control API', () => {
  it('should list keys without secrets and patch flags and IPs when asked over /__sim/keys', async () => {
    const key = await createSubKey(sim.url, clock);
    const listed = await admin('GET', '/__sim/keys');
    expect(JSON.stringify(listed.json)).not.toContain(key.secret);
    const patched = await admin('PATCH', `/__sim/keys/${key.apiKey}`, { canFuturesTrade: true, ips: ['198.51.100.4'] });
    expect(patched).toMatchObject({ status: 200, json: { key: { flags: { canFuturesTrade: true }, ipRestrict: true, ips: ['198.51.100.4'] } } });
    expect(await admin('PATCH', `/__sim/keys/${key.apiKey}`, { canTrade: 'yes' })).toMatchObject({ status: 400, json: { error: 'canTrade must be a boolean' } });
    expect((await admin('GET', '/__sim/keys/nope')).status).toBe(404);
  });

  it('should answer with the injected code and record it when a binanceError fault is set', async () => {
    const added = await admin('POST', '/__sim/faults', { kind: 'binanceError', code: -1003, times: 1 });
    expect(added.status).toBe(201);
    const answer = await rawCall(sim.url, { method: 'GET', path: '/sapi/v1/account/apiRestrictions' }, clock);
    expect(answer).toMatchObject({ status: 429, json: { code: -1003, msg: 'Too many requests.' } });
    const requests = await admin('GET', '/__sim/requests');
    expect(requests.json.requests.at(-1)).toMatchObject({ path: '/sapi/v1/account/apiRestrictions', httpStatus: 429, code: -1003, fault: 'binanceError#1' });
    expect(await admin('POST', '/__sim/faults', { kind: 'binanceError', code: 5 })).toMatchObject({ status: 400, json: { error: 'code must be a negative integer' } });
  });

  it('should report used UID weight when a weighted endpoint is called with limits on', async () => {
    await admin('POST', '/__sim/rate-limits', { enabled: true });
    const answer = await rawCall(sim.url, { method: 'GET', path: '/sapi/v1/sub-account/subAccountApi', params: email }, clock);
    expect(answer.headers['x-sapi-used-uid-weight-1m']).toBe('3000');
    const restrictions = await rawCall(sim.url, { method: 'GET', path: '/sapi/v1/account/apiRestrictions' }, clock);
    expect(restrictions.headers['x-sapi-used-ip-weight-1m']).toBe('1');
    await admin('POST', '/__sim/rate-limits', { enabled: false });
  });
});

describe('binance simulator key-changing endpoints', () => {
  it('should add, read and delete a key\'s IP restriction when the master calls the ipRestriction endpoints', async () => {
    const key = await createSubKey(sim.url, clock);
    const target = `${email}&subAccountApiKey=${key.apiKey}`;
    const added = await rawCall(sim.url, {
      method: 'POST', path: '/sapi/v2/sub-account/subAccountApi/ipRestriction', params: `${target}&status=2&ipAddress=192.0.2.1,192.0.2.2`, inBody: true,
    }, clock);
    expect(added.json).toMatchObject({ status: '2', ipList: ['192.0.2.1', '192.0.2.2'], apiKey: key.apiKey });
    const read = await rawCall(sim.url, { method: 'GET', path: '/sapi/v1/sub-account/subAccountApi/ipRestriction', params: target }, clock);
    expect(read.json).toMatchObject({ ipRestrict: 'true', ipList: ['192.0.2.1', '192.0.2.2'] });
    const deleted = await rawCall(sim.url, {
      method: 'DELETE', path: '/sapi/v1/sub-account/subAccountApi/ipRestriction/ipList', params: `${target}&ipAddress=192.0.2.1`,
    }, clock);
    expect(deleted.json).toMatchObject({ ipList: ['192.0.2.2'] });
  });

  it('should change a key\'s permissions when the master calls subAccountApiPermission', async () => {
    const key = await createSubKey(sim.url, clock);
    const changed = await rawCall(sim.url, {
      method: 'POST', path: '/sapi/v1/sub-account/subAccountApiPermission', inBody: true,
      params: `${email}&subAccountApiKey=${key.apiKey}&canTrade=false&canFuturesTrade=true`,
    }, clock);
    expect(changed.json).toMatchObject({ canTrade: false, canFuturesTrade: true });
    expect(sim.state.getKey(key.apiKey)?.flags).toMatchObject({ canTrade: false, canFuturesTrade: true });
  });

  it.each([
    { name: 'should refuse with -1102 when the create call has no apiName', params: `${email}&status=1`, code: -1102 },
    { name: 'should refuse with -1102 when status 2 comes without ipAddress', params: `${email}&apiName=x&status=2`, code: -1102 },
    { name: 'should refuse with -1130 when ipAddress holds a range', params: `${email}&apiName=x&status=2&ipAddress=10.0.0.0/8`, code: -1130 },
    { name: 'should refuse with -1130 when a flag is not a boolean', params: `${email}&apiName=x&status=1&canTrade=yes`, code: -1130 },
    { name: 'should refuse with -9000 when FIX trading is asked for on an HMAC key', params: `${email}&apiName=x&status=1&canFixApiTrading=true`, code: -9000 },
  ])('$name', async ({ params, code }) => {
    const answer = await rawCall(sim.url, { method: 'POST', path: '/sapi/v2/sub-account/subAccountApi', params, inBody: true }, clock);
    expect(answer).toMatchObject({ status: 400, json: { code } });
  });

  it('should refuse with -1130 when deleting a key the sub-account does not hold', async () => {
    const answer = await rawCall(sim.url, { method: 'DELETE', path: '/sapi/v1/sub-account/subAccountApi', params: `${email}&subAccountApiKey=nope` }, clock);
    expect(answer).toMatchObject({ status: 400, json: { code: -1130 } });
  });

  it('should answer 404 when the path is unknown', async () => {
    expect((await fetch(`${sim.url}/sapi/v1/nothing`)).status).toBe(404);
  });
});
