// Fault injection and the /__sim/ control API of the OKX simulator.

import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OkxSimulator } from '../../../../src/exchanges/okx/simulator/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { as, createSubKey, rawCall, startSim, type RawCall } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const config: RawCall = { method: 'GET', path: '/api/v5/account/config' };
let sim: OkxSimulator;

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.clearFaults();
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await request(`${sim.url}${path}`, { method: method as 'GET', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.statusCode, json: JSON.parse(await res.body.text()) };
}

describe('fault injection', () => {
  it('should answer with the code, OKX message and status when a code fault is set', async () => {
    sim.state.addFault({ kind: 'code', code: '50001', times: 1 });
    const answer = await rawCall(sim.url, config, clock);
    expect([answer.status, answer.json]).toEqual([503, { code: '50001', msg: 'Service temporarily unavailable. Please try again later.', data: [] }]);
    expect((await rawCall(sim.url, config, clock)).json.code).toBe('0');
  });

  it('should take a numeric code and only hit matching paths when a fault has a path prefix', async () => {
    const { status } = await admin('POST', '/__sim/faults', { kind: 'code', code: 50011, pathPrefix: '/api/v5/users/' });
    expect(status).toBe(201);
    expect((await rawCall(sim.url, config, clock)).json.code).toBe('0');
    const limited = await rawCall(sim.url, { method: 'GET', path: '/api/v5/users/subaccount/apikey', query: 'subAcct=deskalpha01' }, clock);
    expect([limited.status, limited.json.code]).toEqual([429, '50011']);
  });

  it.each([
    { name: 'should refuse with 400 when the code is zero', body: { kind: 'code', code: '0' } },
    { name: 'should refuse with 400 when the code is missing', body: { kind: 'code' } },
  ])('$name', async ({ body }) => {
    expect((await admin('POST', '/__sim/faults', body)).status).toBe(400);
  });
});

describe('control API', () => {
  it('should list keys without secrets and patch one venue-side when asked', async () => {
    const key = await createSubKey(sim.url, clock, { ip: '127.0.0.1' });
    const listed = await admin('GET', '/__sim/keys');
    const text = JSON.stringify(listed.json);
    expect(text).toContain(key.apiKey);
    expect(text).not.toContain(key.secret);
    expect(text).not.toContain(key.passphrase);
    const patched = await admin('PATCH', `/__sim/keys/${key.apiKey}`, { perm: ['read_only'], ips: ['127.0.0.1', '10.0.0.1'], label: 'renamed' });
    expect(patched.json.key).toMatchObject({ perm: ['read_only'], ips: ['127.0.0.1', '10.0.0.1'], label: 'renamed' });
    const answer = await rawCall(sim.url, { ...config, ...as(key) }, clock);
    expect(answer.json.data[0]).toMatchObject({ perm: 'read_only', ip: '127.0.0.1,10.0.0.1', label: 'renamed' });
  });

  it('should expire an idle key when its last use is patched into the past', async () => {
    const key = await createSubKey(sim.url, clock);
    await admin('PATCH', `/__sim/keys/${key.apiKey}`, { lastUsedAt: '2025-12-01T00:00:00Z' });
    expect((await admin('GET', `/__sim/keys/${key.apiKey}`)).json.key.deleted).toBe(true);
    expect((await rawCall(sim.url, { ...config, ...as(key) }, clock)).json.code).toBe('50111');
  });

  it.each([
    { name: 'should refuse with 400 when perm is not a list', body: { perm: 'trade' } },
    { name: 'should refuse with 400 when lastUsedAt is not a time', body: { lastUsedAt: 'yesterday' } },
  ])('$name', async ({ body }) => {
    const key = await createSubKey(sim.url, clock);
    expect((await admin('PATCH', `/__sim/keys/${key.apiKey}`, body)).status).toBe(400);
  });

  it('should record requests and forget keys and history when reset', async () => {
    const key = await createSubKey(sim.url, clock);
    expect((await admin('GET', '/__sim/requests')).json.requests.at(-1)).toMatchObject({ path: '/api/v5/users/subaccount/apikey', code: '0' });
    expect((await admin('POST', '/__sim/reset')).status).toBe(200);
    expect(sim.state.getKey(key.apiKey)).toBeUndefined();
    expect(sim.state.listKeys().map((k) => k.isMaster)).toEqual([true]);
    expect(sim.state.recentRequests()).toEqual([]);
    expect((await rawCall(sim.url, config, clock)).json.code).toBe('0');
  });

  it('should let another master key manage keys when one is added', async () => {
    sim.state.addMasterKey({ apiKey: 'second-master', secret: 'SECOND', passphrase: 'Second-Pass1!', ips: ['127.0.0.1'] });
    const answer = await rawCall(sim.url, {
      method: 'POST', path: '/api/v5/users/subaccount/apikey', apiKey: 'second-master', secret: 'SECOND', passphrase: 'Second-Pass1!',
      body: JSON.stringify({ subAcct: 'deskalpha01', label: 'bysecond', passphrase: 'Sub-Pass1!', perm: 'read_only' }),
    }, clock);
    expect(answer.json.code).toBe('0');
    expect(() => sim.state.addMasterKey({ apiKey: 'second-master', secret: 'x', passphrase: 'y', ips: [] })).toThrow(/already exists/);
  });
});
