// The Binance adapter against the simulator: the full key lifecycle and how failures surface.

import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBinanceAdapter, createParams } from '../../../../src/exchanges/binance/adapter.ts';
import type { BinanceSimulator } from '../../../../src/exchanges/binance/simulator/index.ts';
import { formatOwnerTag } from '../../../../src/exchanges/owner-tag.ts';
import type { Credentials } from '../../../../src/exchanges/types.ts';
import { caught } from '../../../support/exchange-error.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, MASTER_SECRET, OWNER_UID, SUB_EMAIL, keyRequest, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET };
let sim: BinanceSimulator;
let adapter: ReturnType<typeof createBinanceAdapter>;

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
  adapter = createBinanceAdapter({ endpoint: sim.url, clock, timeoutMs: 300 });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.clearFaults();
});

describe('binance adapter round trip', () => {
  it('should create, validate, list, revoke and revoke again when driving the whole lifecycle', async () => {
    const request = keyRequest({ owner: { uid: OWNER_UID, version: 7 } });
    const issued = await adapter.create(master, request);
    expect(issued.credentials.keyId).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(issued.credentials.secret).toMatch(/^[A-Za-z0-9]{64}$/);
    // Unrestricted keys lose spot trading after 30 days.
    expect(issued.expiresAt).toEqual(new Date('2026-02-04T12:00:00Z'));
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({
      apiName: formatOwnerTag(request.owner), email: SUB_EMAIL, ipRestrict: false,
      flags: { canTrade: true, canUniversalTransfer: true, canFuturesTrade: false, canVanillaOptions: false, enableWithdrawals: false },
    });

    const info = await adapter.validate(issued.credentials, SUB_EMAIL);
    expect(info).toEqual({
      keyId: issued.credentials.keyId,
      permissions: ['read', 'trade:spot', 'transfer'],
      unmappedPermissions: [],
      ipAllowlist: [],
      withdrawEnabled: false,
      expiresAt: new Date('2026-02-04T12:00:00Z'),
    });

    const owned = await adapter.listOwned(master, OWNER_UID, SUB_EMAIL);
    expect(owned).toContainEqual({ keyId: issued.credentials.keyId, owner: { uid: OWNER_UID, version: 7 }, account: SUB_EMAIL });

    await adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_EMAIL });
    const refused = await caught(adapter.validate(issued.credentials, SUB_EMAIL));
    expect(refused).toMatchObject({ venue: 'binance', kind: 'auth', code: '-2015', httpStatus: 401, retryable: false });
    await expect(adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_EMAIL })).resolves.toBeUndefined();
    expect((await adapter.listOwned(master, OWNER_UID, SUB_EMAIL)).map((k) => k.keyId)).not.toContain(issued.credentials.keyId);
  });

  it('should bind the IPs in the create call and report them when the key is IP-restricted', async () => {
    const issued = await adapter.create(master, keyRequest({ ipAllowlist: ['127.0.0.1', '203.0.113.9/32'] }));
    expect(issued.expiresAt).toBeUndefined();
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({ ipRestrict: true, ips: ['127.0.0.1', '203.0.113.9'] });
    const info = await adapter.validate(issued.credentials, SUB_EMAIL);
    expect(info.ipAllowlist).toEqual(['127.0.0.1', '203.0.113.9']);
  });

  it('should report the lifted restriction when the IPs are removed venue-side', async () => {
    const issued = await adapter.create(master, keyRequest({ ipAllowlist: ['127.0.0.1'] }));
    sim.state.patchKey(issued.credentials.keyId, { ips: [] });
    expect((await adapter.validate(issued.credentials, SUB_EMAIL)).ipAllowlist).toEqual([]);
  });

  it('should report "restricted, list unknown" when an IP-restricted key was not created by this adapter (e.g. after a restart)', async () => {
    const issued = await adapter.create(master, keyRequest({ ipAllowlist: ['127.0.0.1'] }));
    const other = createBinanceAdapter({ endpoint: sim.url, clock });
    expect(await other.validate(issued.credentials, SUB_EMAIL)).toMatchObject({ ipAllowlist: [], ipRestrictedUnlisted: true });
  });

  it('should report drift when permissions change venue-side', async () => {
    const issued = await adapter.create(master, keyRequest({ permissions: ['read', 'trade'] }));
    sim.state.patchKey(issued.credentials.keyId, { canVanillaOptions: false, enableWithdrawals: true, canMarginLoanRepay: true });
    expect(await adapter.validate(issued.credentials, SUB_EMAIL)).toMatchObject({
      permissions: ['read', 'trade:spot', 'trade:derivatives', 'withdraw'], unmappedPermissions: ['enableMargin'], withdrawEnabled: true,
    });
  });

  it.each(['ed25519', 'rsa'] as const)('should register only the public key and validate with the private key when the key type is %s', async (keyType) => {
    const pair = keyType === 'ed25519'
      ? generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const issued = await adapter.create(master, keyRequest({ keyType, publicKey: pair.publicKey }));
    expect(issued.credentials).toEqual({ keyId: issued.credentials.keyId });
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({ keyType, hasSecret: false, publicKey: pair.publicKey });
    const info = await adapter.validate({ keyId: issued.credentials.keyId, privateKey: pair.privateKey }, SUB_EMAIL);
    expect(info.permissions).toEqual(['read', 'trade:spot', 'transfer']);
  });

  it('should list keys across pages when the sub-account holds more than one page', async () => {
    const email = 'paged@sub.example.com';
    const owner = '99999999-0000-4000-8000-000000000000';
    const created = [];
    for (let v = 1; v <= 103; v++) created.push((await adapter.create(master, keyRequest({ account: email, owner: { uid: owner, version: v } }))).credentials.keyId);
    const owned = await adapter.listOwned(master, owner, email);
    expect(owned.map((k) => k.keyId).sort()).toEqual([...created].sort());
    expect(owned.map((k) => k.owner.version).sort((a, b) => a - b).at(-1)).toBe(103);
  });
});

describe('binance adapter refusals before anything is sent', () => {
  it.each([
    { name: 'should refuse withdraw', request: keyRequest({ permissions: ['read', 'withdraw'] }), message: /"withdraw" cannot be granted/ },
    { name: 'should refuse an account that is not an email', request: keyRequest({ account: '12345' }), message: /sub-account's email/ },
    { name: 'should refuse a CIDR range', request: keyRequest({ ipAllowlist: ['10.0.0.0/8'] }), message: /not a single IP address/ },
    { name: 'should refuse an asymmetric key without its public key', request: keyRequest({ keyType: 'ed25519' }), message: /needs the public key/ },
  ])('$name', ({ request, message }) => {
    expect(() => createParams(request)).toThrow(message);
  });

  it('should put the owner tag in apiName and status 2 with the IPs when an allowlist is given', () => {
    expect(createParams(keyRequest({ ipAllowlist: ['192.0.2.1', '192.0.2.2'] }))).toEqual({
      email: SUB_EMAIL, apiName: formatOwnerTag({ uid: OWNER_UID, version: 1 }), status: 2,
      canTrade: true, canFuturesTrade: false, canVanillaOptions: false, canUniversalTransfer: true,
      ipAddress: '192.0.2.1,192.0.2.2', publicKey: undefined,
    });
  });
});

describe('binance adapter failures', () => {
  it.each([
    {
      name: 'should be clock-skew (retryable) when Binance answers -1021',
      fault: { kind: 'binanceError' as const, code: -1021 }, expected: { kind: 'clock-skew', code: '-1021', httpStatus: 400, retryable: true },
    },
    {
      name: 'should be auth when Binance answers -1022',
      fault: { kind: 'binanceError' as const, code: -1022 }, expected: { kind: 'auth', code: '-1022', retryable: false },
    },
    {
      name: 'should be rate-limit with Retry-After when Binance answers 429',
      fault: { kind: 'status' as const, status: 429, retryAfterSeconds: 7 }, expected: { kind: 'rate-limit', code: '429', retryAfterMs: 7000, retryable: true },
    },
    {
      name: 'should be rate-limit with the ban length when Binance answers 418',
      fault: { kind: 'status' as const, status: 418, retryAfterSeconds: 120 }, expected: { kind: 'rate-limit', code: '418', retryAfterMs: 120_000 },
    },
    {
      name: 'should be unavailable when Binance answers 503',
      fault: { kind: 'status' as const, status: 503 }, expected: { kind: 'unavailable', code: '503', retryable: true },
    },
    {
      name: 'should be unavailable (timeout) when Binance never answers',
      fault: { kind: 'timeout' as const }, expected: { kind: 'unavailable', code: 'timeout', retryable: true },
    },
    {
      name: 'should be invalid-request when Binance answers -1102',
      fault: { kind: 'binanceError' as const, code: -1102 }, expected: { kind: 'invalid-request', code: '-1102', retryable: false },
    },
  ])('$name', async ({ fault, expected }) => {
    sim.state.addFault({ ...fault, times: 1 });
    expect(await caught(adapter.create(master, keyRequest()))).toMatchObject({ venue: 'binance', ...expected });
  });

  it('should be auth when the master secret is wrong', async () => {
    expect(await caught(adapter.create({ keyId: MASTER_KEY, secret: 'wrong' }, keyRequest()))).toMatchObject({ kind: 'auth', code: '-1022' });
  });

  it('should be clock-skew when the operator clock runs ahead of Binance', async () => {
    const ahead = new FakeClock(new Date(clock.nowMs() + 2000));
    const skewed = createBinanceAdapter({ endpoint: sim.url, clock: ahead });
    expect(await caught(skewed.listOwned(master, OWNER_UID, SUB_EMAIL))).toMatchObject({ kind: 'clock-skew', code: '-1021' });
  });

  it('should be permission when a sub-account key is used as the master key', async () => {
    const issued = await adapter.create(master, keyRequest());
    expect(await caught(adapter.listOwned(issued.credentials, OWNER_UID, SUB_EMAIL))).toMatchObject({ kind: 'permission', code: '-1002' });
  });

  it('should not read a transient failure as "already revoked" when revoke fails', async () => {
    const issued = await adapter.create(master, keyRequest());
    sim.state.addFault({ kind: 'status', status: 503, times: 1 });
    expect(await caught(adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_EMAIL }))).toMatchObject({ kind: 'unavailable' });
    expect(sim.state.getKey(issued.credentials.keyId)?.deleted).toBe(false);
  });
});

describe('binance adapter under the venue\'s rate limits', () => {
  it('should be rate-limit with Retry-After when the UID spends more than 180000 weight a minute on create', async () => {
    const limited = await startSim({ clock, rateLimits: true });
    try {
      const a = createBinanceAdapter({ endpoint: limited.url, clock });
      // 3000 weight each: 60 creates fill the minute.
      for (let i = 0; i < 60; i++) await a.create(master, keyRequest({ owner: { uid: OWNER_UID, version: i + 1 } }));
      const refused = await caught(a.create(master, keyRequest()));
      expect(refused).toMatchObject({ kind: 'rate-limit', code: '429', httpStatus: 429, retryAfterMs: 60_000 });
      await clock.advance(60_001);
      await expect(a.create(master, keyRequest())).resolves.toBeDefined();
    } finally {
      await limited.stop();
    }
  });
});
