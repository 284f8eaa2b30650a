// Fault injection and the /__sim/ control API.

import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handleAdmin } from '../../../../src/exchanges/bybit/simulator/admin.ts';
import type { BybitSimulator } from '../../../../src/exchanges/bybit/simulator/index.ts';
import { createSimulatorState } from '../../../../src/exchanges/bybit/simulator/simulator-state.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, MASTER_SECRET, SUB_UID, createSubKey, rawCall, startSim, type RawCall } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const queryApi: RawCall = { method: 'GET', path: '/v5/user/query-api' };
let draws: number[] = [];
let sim: BybitSimulator;

beforeAll(async () => {
  // Probabilistic faults draw from this list (then 0: always hit).
  sim = await startSim({ clock, rateLimits: false, random: () => draws.shift() ?? 0 });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.clearFaults();
  draws = [];
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await request(`${sim.url}${path}`, { method: method as 'GET', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text), text };
}

describe('fault injection', () => {
  it('should answer 429 with Retry-After once and then serve normally when a status fault has times 1', async () => {
    sim.state.addFault({ kind: 'status', status: 429, retryAfterSeconds: 3, times: 1 });
    const first = await request(`${sim.url}/v5/market/time`);
    expect(first.statusCode).toBe(429);
    expect(first.headers['retry-after']).toBe('3');
    await first.body.text();
    expect((await rawCall(sim.url, queryApi, clock)).json.retCode).toBe(0);
    expect(sim.state.listFaults()).toEqual([]);
  });

  it('should answer 503 exactly N times when a status fault has times N', async () => {
    sim.state.addFault({ kind: 'status', status: 503, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(`${sim.url}/v5/market/time`);
      await res.body.text();
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('should answer with the retCode in Bybit\'s envelope when a retCode fault is set', async () => {
    sim.state.addFault({ kind: 'retCode', retCode: 10016 });
    const answer = await rawCall(sim.url, queryApi, clock);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ retCode: 10016, retMsg: 'Internal System Error.', result: {} });
  });

  it('should only hit matching paths when a fault has a path prefix', async () => {
    sim.state.addFault({ kind: 'retCode', retCode: 10016, pathPrefix: '/v5/user/create-sub-api' });
    expect((await rawCall(sim.url, queryApi, clock)).json.retCode).toBe(0);
  });

  it('should hit only the draws below the probability when a fault is probabilistic', async () => {
    sim.state.addFault({ kind: 'retCode', retCode: 10016, probability: 0.5 });
    draws = [0.2, 0.8, 0.49];
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await rawCall(sim.url, queryApi, clock)).json.retCode);
    expect(codes).toEqual([10016, 0, 10016]);
  });

  it('should delay the answer when a latency fault is set', async () => {
    sim.state.addFault({ kind: 'latency', latencyMs: 150 });
    const started = performance.now();
    expect((await rawCall(sim.url, queryApi, clock)).json.retCode).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('should hold the connection without answering when a timeout fault is set', async () => {
    sim.state.addFault({ kind: 'timeout', times: 1 });
    await expect(request(`${sim.url}/v5/market/time`, { headersTimeout: 200 })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ path: '/v5/market/time', httpStatus: 0, fault: expect.stringMatching(/^timeout#/) });
  });

  it('should stop promptly when a connection is being held', async () => {
    const held = await startSim({ clock });
    held.state.addFault({ kind: 'timeout' });
    const pending = request(`${held.url}/v5/market/time`).catch((err: unknown) => err);
    await new Promise((resolve) => { setTimeout(resolve, 50); });
    await held.stop();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('control API', () => {
  it('should list keys without any secret when asked for all keys', async () => {
    const created = await createSubKey(sim.url, clock);
    const { status, json, text } = await admin('GET', '/__sim/keys');
    expect(status).toBe(200);
    expect(json.keys.map((k: { apiKey: string }) => k.apiKey)).toEqual(expect.arrayContaining([MASTER_KEY, created.apiKey]));
    expect(text).not.toContain(created.secret);
    expect(text).not.toContain(MASTER_SECRET);
    expect(text).not.toContain('"secret"');
  });

  it("should return one key's state when asked by api key", async () => {
    const created = await createSubKey(sim.url, clock, { ips: '127.0.0.1' });
    const { json } = await admin('GET', `/__sim/keys/${created.apiKey}`);
    expect(json.key).toEqual({
      id: expect.any(String), apiKey: created.apiKey, uid: SUB_UID, isMaster: false, readOnly: 0,
      permissions: { Spot: ['SpotTrade'] }, ips: ['127.0.0.1'], note: 'test', createdAt: '2026-01-05T12:00:00Z', expiredAt: null, deleted: false,
    });
    expect((await admin('GET', '/__sim/keys/NOPE')).status).toBe(404);
  });

  it('should change what query-api reports when a key is patched', async () => {
    const created = await createSubKey(sim.url, clock);
    const patched = await admin('PATCH', `/__sim/keys/${created.apiKey}`, { permissions: { Spot: ['SpotTrade'], Exchange: ['ExchangeHistory'] }, ips: ['127.0.0.1'] });
    expect(patched.json.key).toMatchObject({ ips: ['127.0.0.1'], expiredAt: null });
    const answer = await rawCall(sim.url, { ...queryApi, apiKey: created.apiKey, secret: created.secret }, clock);
    expect(answer.json.result.permissions).toMatchObject({ Spot: ['SpotTrade'], Exchange: ['ExchangeHistory'] });
    expect(answer.json.result.ips).toEqual(['127.0.0.1']);
  });

  it('should refuse a malformed patch with 400', async () => {
    const created = await createSubKey(sim.url, clock);
    expect((await admin('PATCH', `/__sim/keys/${created.apiKey}`, { readOnly: 7 })).status).toBe(400);
    expect((await admin('PATCH', `/__sim/keys/${created.apiKey}`, { ips: '127.0.0.1' })).status).toBe(400);
  });

  it('should add, list and clear faults over HTTP', async () => {
    const added = await admin('POST', '/__sim/faults', { kind: 'status', status: 502, pathPrefix: '/v5/user/', times: 2 });
    expect(added.status).toBe(201);
    expect(added.json.fault).toMatchObject({ id: expect.any(String), kind: 'status', status: 502, pathPrefix: '/v5/user/', times: 2, hits: 0 });
    expect((await admin('GET', '/__sim/faults')).json.faults).toHaveLength(1);
    const hit = await request(`${sim.url}/v5/user/query-api`);
    await hit.body.text();
    expect(hit.statusCode).toBe(502);
    expect((await admin('DELETE', '/__sim/faults')).json).toEqual({ cleared: 1 });
  });

  it.each([
    { name: 'should refuse a fault with 400 when its kind is unknown', body: { kind: 'explode' } },
    { name: 'should refuse a fault with 400 when its probability is above 1', body: { kind: 'timeout', probability: 2 } },
    { name: 'should refuse a fault with 400 when its status is not a number', body: { kind: 'status', status: '500' } },
    { name: 'should refuse a fault with 400 when times is not a positive integer', body: { kind: 'latency', latencyMs: 10, times: 0 } },
  ])('$name', async ({ body }) => {
    expect((await admin('POST', '/__sim/faults', body)).status).toBe(400);
  });

  it('should list recent requests with path, api key and retCode', async () => {
    await rawCall(sim.url, { ...queryApi, sign: '0'.repeat(64) }, clock);
    const { json } = await admin('GET', '/__sim/requests');
    expect(json.requests.at(-1)).toEqual({
      at: '2026-01-05T12:00:00.000Z', method: 'GET', path: '/v5/user/query-api', apiKey: MASTER_KEY, httpStatus: 200, retCode: 10004,
    });
  });

  it('should switch rate limits over HTTP', async () => {
    expect((await admin('POST', '/__sim/rate-limits', { enabled: true })).json).toEqual({ enabled: true });
    const body = JSON.stringify({ subuid: Number(SUB_UID), readOnly: 1, permissions: { Spot: ['SpotTrade'] } });
    const codes: number[] = [];
    for (let i = 0; i < 2; i++) codes.push((await rawCall(sim.url, { method: 'POST', path: '/v5/user/create-sub-api', body }, clock)).json.retCode);
    expect(codes).toEqual([0, 10006]);
    expect((await admin('POST', '/__sim/rate-limits', { enabled: false })).status).toBe(200);
  });

  it('should forget keys, faults and history but keep the master key when reset', async () => {
    const created = await createSubKey(sim.url, clock);
    sim.state.addFault({ kind: 'latency', latencyMs: 1 });
    expect((await admin('POST', '/__sim/reset')).json).toEqual({ reset: true });
    expect(sim.state.listKeys().map((k) => k.apiKey)).toEqual([MASTER_KEY]);
    expect(sim.state.getKey(created.apiKey)).toBeUndefined();
    expect(sim.state.listFaults()).toEqual([]);
    expect((await rawCall(sim.url, queryApi, clock)).json.retCode).toBe(0);
  });

  it('should accept a second master key when one is added', async () => {
    sim.state.addMasterKey('MASTERKEY000000002', 'MASTERSECRET0000000000000000000000002');
    const answer = await rawCall(sim.url, { method: 'POST', path: '/v5/user/create-sub-api', body: JSON.stringify({ subuid: Number(SUB_UID), readOnly: 1, permissions: { Spot: ['SpotTrade'] } }), apiKey: 'MASTERKEY000000002', secret: 'MASTERSECRET0000000000000000000000002' }, clock);
    expect(answer.json.retCode).toBe(0);
    expect(() => sim.state.addMasterKey(MASTER_KEY, 'x')).toThrow(/already exists/);
  });

  it('should answer only loopback callers', () => {
    const internals = createSimulatorState(
      { masterKey: MASTER_KEY, masterSecret: MASTER_SECRET, masterUid: '1' },
      { clock, rateLimits: false },
    );
    const ask = (ip: string): number => handleAdmin(internals, { method: 'GET', path: '/__sim/keys', rawBody: Buffer.alloc(0), ip }).status;
    expect([ask('127.0.0.1'), ask('::1'), ask('10.0.0.5'), ask('192.168.1.10')]).toEqual([200, 200, 403, 403]);
  });
});
