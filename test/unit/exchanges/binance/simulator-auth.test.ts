// The simulator's authentication, checked with hand-built requests: each refusal Binance
// documents, answered with Binance's codes and HTTP statuses, over the exact bytes received.

import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinanceSimulator } from '../../../../src/exchanges/binance/simulator/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, SUB_EMAIL, createParams, createSubKey, rawCall, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const RESTRICTIONS = '/sapi/v1/account/apiRestrictions';
let sim: BinanceSimulator;

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
});

afterAll(async () => {
  await sim.stop();
});

describe('binance simulator authentication', () => {
  it('should answer the key\'s restrictions when the request is signed correctly', async () => {
    const answer = await rawCall(sim.url, { method: 'GET', path: RESTRICTIONS }, clock);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ ipRestrict: false, enableReading: true, enableWithdrawals: false });
  });

  it.each([
    { name: 'should refuse with -1022 (400) when the signature is wrong', call: { secret: 'wrong-secret' }, status: 400, code: -1022 },
    {
      name: 'should refuse with -1022 when the signature covers other bytes than those sent',
      call: { params: 'a=1', signedPayload: 'a=2' }, status: 400, code: -1022,
    },
    { name: 'should refuse with -2015 (401) when the API key is unknown', call: { apiKey: 'UNKNOWN' }, status: 401, code: -2015 },
    { name: 'should refuse with -2014 (401) when the API key header is missing', call: { apiKey: null }, status: 401, code: -2014 },
    { name: 'should refuse with -1102 when the signature is missing', call: { signature: null }, status: 400, code: -1102 },
    { name: 'should refuse with -1102 when the timestamp is missing', call: { timestamp: null }, status: 400, code: -1102 },
    {
      name: 'should refuse with -1021 when the timestamp is older than recvWindow',
      call: { timestamp: String(clock.nowMs() - 5001) }, status: 400, code: -1021,
    },
    {
      name: 'should refuse with -1021 when the timestamp is 1000 ms ahead of server time',
      call: { timestamp: String(clock.nowMs() + 1000) }, status: 400, code: -1021,
    },
    {
      name: 'should refuse with -1021 when a microsecond timestamp is outside the window',
      call: { timestamp: String((clock.nowMs() - 6000) * 1000) }, status: 400, code: -1021,
    },
    { name: 'should refuse with -1131 when recvWindow is above 60000', call: { recvWindow: '60001' }, status: 400, code: -1131 },
  ])('$name', async ({ call, status, code }) => {
    const answer = await rawCall(sim.url, { method: 'GET', path: RESTRICTIONS, ...call }, clock);
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ code });
  });

  it.each([
    { name: 'should accept a timestamp exactly recvWindow old', timestamp: () => String(clock.nowMs() - 5000), recvWindow: '5000' },
    { name: 'should accept a timestamp 999 ms ahead of server time', timestamp: () => String(clock.nowMs() + 999), recvWindow: '5000' },
    { name: 'should accept a microsecond timestamp inside the window', timestamp: () => String(clock.nowMs() * 1000 - 1500), recvWindow: '5000' },
    { name: 'should accept a fractional recvWindow', timestamp: () => String(clock.nowMs() - 6000), recvWindow: '6000.5' },
    { name: 'should default recvWindow to 5000 when it is not sent', timestamp: () => String(clock.nowMs() - 4000), recvWindow: null },
  ])('$name', async ({ timestamp, recvWindow }) => {
    const answer = await rawCall(sim.url, { method: 'GET', path: RESTRICTIONS, timestamp: timestamp(), recvWindow }, clock);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  });

  it('should accept the signature in the body and parameters split between query and body', async () => {
    const inBody = await rawCall(sim.url, { method: 'POST', path: '/sapi/v2/sub-account/subAccountApi', params: createParams(), inBody: true }, clock);
    expect(inBody.status, JSON.stringify(inBody.json)).toBe(200);
    expect(inBody.json).toMatchObject({ apiName: 'test', canTrade: true, status: 1, ipList: [] });
  });

  it('should refuse with -2015 when the caller IP is not in the key\'s restriction', async () => {
    const key = await createSubKey(sim.url, clock, { status: '2', ipAddress: '203.0.113.7' });
    const answer = await rawCall(sim.url, { method: 'GET', path: RESTRICTIONS, apiKey: key.apiKey, secret: key.secret }, clock);
    expect(answer).toMatchObject({ status: 401, json: { code: -2015 } });
  });

  it('should refuse with -1002 when a sub-account key calls a master endpoint', async () => {
    const key = await createSubKey(sim.url, clock);
    const answer = await rawCall(sim.url, {
      method: 'GET', path: '/sapi/v1/sub-account/subAccountApi', params: `email=${encodeURIComponent(SUB_EMAIL)}`, apiKey: key.apiKey, secret: key.secret,
    }, clock);
    expect(answer).toMatchObject({ status: 400, json: { code: -1002 } });
  });

  it('should verify with the registered public key when an Ed25519 key signs, storing no private key', async () => {
    const pair = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const created = await rawCall(sim.url, {
      method: 'POST', path: '/sapi/v2/sub-account/subAccountApi', params: createParams({ publicKey: pair.publicKey }), inBody: true,
    }, clock);
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    expect(created.json.secretKey).toBe('');
    expect(sim.state.getKey(created.json.apiKey)).toMatchObject({ keyType: 'ed25519', hasSecret: false, publicKey: pair.publicKey });
    const ok = await rawCall(sim.url, { method: 'GET', path: RESTRICTIONS, apiKey: created.json.apiKey, privateKey: pair.privateKey }, clock);
    expect(ok.status).toBe(200);
    const other = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const bad = await rawCall(sim.url, { method: 'GET', path: RESTRICTIONS, apiKey: created.json.apiKey, privateKey: other.privateKey }, clock);
    expect(bad).toMatchObject({ status: 400, json: { code: -1022 } });
  });

  it('should refuse a v2 public key sent in the query string', async () => {
    const pair = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const answer = await rawCall(sim.url, {
      method: 'POST', path: '/sapi/v2/sub-account/subAccountApi', params: createParams({ publicKey: pair.publicKey }),
    }, clock);
    expect(answer).toMatchObject({ status: 400, json: { code: -1130 } });
  });

  it('should answer server time without a signature', async () => {
    const res = await fetch(`${sim.url}/api/v3/time`);
    expect(await res.json()).toEqual({ serverTime: clock.nowMs() });
    expect(MASTER_KEY).toHaveLength(64);
  });
});
