// The Bybit adapter against the simulator: the full key lifecycle and how failures surface.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBybitAdapter, createSubApiBody } from '../../../../src/exchanges/bybit/adapter.ts';
import type { BybitSimulator } from '../../../../src/exchanges/bybit/simulator/index.ts';
import { formatOwnerTag } from '../../../../src/exchanges/owner-tag.ts';
import type { Credentials, KeyRequest, Permission } from '../../../../src/exchanges/types.ts';
import { caught } from '../../../support/exchange-error.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, MASTER_SECRET, SUB_UID, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET };
const OWNER_UID = '3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60718';
let sim: BybitSimulator;
let adapter: ReturnType<typeof createBybitAdapter>;

function keyRequest(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return {
    account: SUB_UID,
    permissions: ['read', 'trade:spot', 'transfer'],
    ipAllowlist: [],
    keyType: 'hmac',
    owner: { uid: OWNER_UID, version: 1 },
    ...overrides,
  };
}

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
  adapter = createBybitAdapter({ endpoint: sim.url, clock, timeoutMs: 300 });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.clearFaults();
});

describe('bybit adapter round trip', () => {
  it('should create, validate, list, revoke and revoke again when driving the whole lifecycle', async () => {
    const request = keyRequest({ owner: { uid: OWNER_UID, version: 7 } });
    const issued = await adapter.create(master, request);
    expect(issued.credentials.keyId).toMatch(/^[A-Za-z0-9]{18}$/);
    expect(issued.credentials.secret).toMatch(/^[A-Za-z0-9]{36}$/);
    expect(issued.expiresAt).toEqual(new Date('2026-04-05T12:00:00Z'));
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({
      note: formatOwnerTag(request.owner), uid: SUB_UID, readOnly: 0,
      permissions: { Spot: ['SpotTrade'], Wallet: ['AccountTransfer', 'SubMemberTransferList'] },
    });

    const info = await adapter.validate(issued.credentials, SUB_UID);
    expect(info).toEqual({
      keyId: issued.credentials.keyId,
      permissions: ['read', 'trade:spot', 'transfer'],
      unmappedPermissions: [],
      ipAllowlist: [],
      withdrawEnabled: false,
      expiresAt: new Date('2026-04-05T12:00:00Z'),
    });

    const owned = await adapter.listOwned(master, OWNER_UID, SUB_UID);
    expect(owned).toContainEqual({ keyId: issued.credentials.keyId, owner: { uid: OWNER_UID, version: 7 }, account: SUB_UID });

    await adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_UID });
    const refused = await caught(adapter.validate(issued.credentials, SUB_UID));
    expect(refused).toMatchObject({ venue: 'bybit', kind: 'auth', code: '10003', httpStatus: 401, retryable: false });
    await expect(adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_UID })).resolves.toBeUndefined();
    expect((await adapter.listOwned(master, OWNER_UID, SUB_UID)).map((k) => k.keyId)).not.toContain(issued.credentials.keyId);
  });

  it.each<{ name: string; permissions: Permission[]; expected: Permission[] }>([
    { name: 'should map permissions back exactly when a read-only key is created', permissions: ['read'], expected: ['read'] },
    { name: 'should map permissions back exactly when a trading key is created', permissions: ['read', 'trade'], expected: ['read', 'trade'] },
    { name: 'should map permissions back exactly when derivatives and options are created', permissions: ['read', 'trade:derivatives', 'trade:options'], expected: ['read', 'trade:derivatives', 'trade:options'] },
  ])('$name', async ({ permissions, expected }) => {
    const issued = await adapter.create(master, keyRequest({ permissions }));
    expect((await adapter.validate(issued.credentials)).permissions).toEqual(expected);
  });

  it('should report the allowlist and no expiry when the key is bound to the caller IP', async () => {
    const issued = await adapter.create(master, keyRequest({ ipAllowlist: ['127.0.0.1', '10.0.0.9'] }));
    expect(issued.expiresAt).toBeUndefined();
    const info = await adapter.validate(issued.credentials);
    expect(info.ipAllowlist).toEqual(['127.0.0.1', '10.0.0.9']);
    expect(info.expiresAt).toBeUndefined();
  });

  it('should fail validation with permission when the key is bound to other IPs', async () => {
    const issued = await adapter.create(master, keyRequest({ ipAllowlist: ['10.0.0.9'] }));
    expect(await caught(adapter.validate(issued.credentials))).toMatchObject({ kind: 'permission', code: '10010' });
  });

  it('should report drift when the key is changed at the venue', async () => {
    const issued = await adapter.create(master, keyRequest());
    sim.state.patchKey(issued.credentials.keyId, { permissions: { Spot: ['SpotTrade'], Exchange: ['ExchangeHistory'] } });
    const info = await adapter.validate(issued.credentials);
    expect(info.permissions).toEqual(['read', 'trade:spot']);
    expect(info.unmappedPermissions).toEqual(['Exchange:ExchangeHistory']);
  });

  it('should find only keys tagged for the owner when listing across pages', async () => {
    const otherOwner = '99999999-0000-0000-0000-000000000000';
    const uid = '200000077';
    const mine = [];
    for (let version = 1; version <= 23; version++) {
      mine.push((await adapter.create(master, keyRequest({ account: uid, owner: { uid: OWNER_UID, version } }))).credentials.keyId);
    }
    await adapter.create(master, keyRequest({ account: uid, owner: { uid: otherOwner, version: 1 } }));
    const owned = await adapter.listOwned(master, OWNER_UID, uid);
    expect(owned.map((k) => k.keyId).sort()).toEqual([...mine].sort());
    expect(owned.map((k) => k.owner.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    const paged = sim.state.recentRequests().filter((r) => r.path === '/v5/user/sub-apikeys');
    expect(paged.length).toBeGreaterThanOrEqual(2);
  });

  it('should treat revoking a key that never existed as done when the account is known', async () => {
    await expect(adapter.revoke(master, { keyId: 'NEVEREXISTED000000', account: SUB_UID })).resolves.toBeUndefined();
  });

  it('should surface the refusal when revoking without an account cannot be confirmed', async () => {
    expect(await caught(adapter.revoke(master, { keyId: 'NEVEREXISTED000000' }))).toMatchObject({ kind: 'invalid-request', code: '10001' });
  });
});

describe('bybit adapter refusals before any request', () => {
  it.each<{ name: string; request: KeyRequest; message: RegExp }>([
    { name: 'should refuse with invalid-request when withdraw is asked', request: keyRequest({ permissions: ['read', 'withdraw'] }), message: /withdraw/ },
    { name: 'should refuse with invalid-request when the key type is rsa', request: keyRequest({ keyType: 'rsa' }), message: /key type "rsa"/ },
    { name: 'should refuse with invalid-request when the key type is ed25519', request: keyRequest({ keyType: 'ed25519' }), message: /key type "ed25519"/ },
    { name: 'should refuse with invalid-request when the account is missing', request: keyRequest({ account: undefined }), message: /numeric Bybit sub-account uid/ },
    { name: 'should refuse with invalid-request when the account is not numeric', request: keyRequest({ account: 'desk-a' }), message: /numeric Bybit sub-account uid/ },
    { name: 'should refuse with invalid-request when the allowlist holds a CIDR', request: keyRequest({ ipAllowlist: ['10.0.0.0/24'] }), message: /CIDR/ },
  ])('$name', async ({ request, message }) => {
    const before = sim.state.recentRequests().length;
    const err = await caught(adapter.create(master, request));
    expect(err).toMatchObject({ kind: 'invalid-request', retryable: false });
    expect(err.message).toMatch(message);
    expect(sim.state.recentRequests()).toHaveLength(before);
  });

  it('should refuse listOwned with invalid-request when no sub account is given', async () => {
    expect(await caught(adapter.listOwned(master, OWNER_UID))).toMatchObject({ kind: 'invalid-request' });
  });

  it('should send ips comma-joined and omit them when the allowlist is empty', () => {
    expect(createSubApiBody(keyRequest({ ipAllowlist: ['10.0.0.1', '10.0.0.2'] }))).toMatchObject({ ips: '10.0.0.1,10.0.0.2', subuid: Number(SUB_UID) });
    expect(createSubApiBody(keyRequest())).not.toHaveProperty('ips');
  });
});

describe('bybit adapter failures', () => {
  it.each<{ name: string; fault: Parameters<BybitSimulator['state']['addFault']>[0]; kind: string; code: string; retryAfterMs?: number }>([
    { name: 'should be rate-limit with Retry-After when Bybit answers 429', fault: { kind: 'status', status: 429, retryAfterSeconds: 2 }, kind: 'rate-limit', code: '429', retryAfterMs: 2000 },
    { name: 'should be unavailable when Bybit answers 503', fault: { kind: 'status', status: 503 }, kind: 'unavailable', code: '503' },
    { name: 'should be unavailable when Bybit answers 10016', fault: { kind: 'retCode', retCode: 10016 }, kind: 'unavailable', code: '10016' },
    { name: 'should be rate-limit when Bybit answers 10006', fault: { kind: 'retCode', retCode: 10006 }, kind: 'rate-limit', code: '10006', retryAfterMs: 1000 },
    { name: 'should be unavailable with code timeout when Bybit holds the connection', fault: { kind: 'timeout' }, kind: 'unavailable', code: 'timeout' },
  ])('$name', async ({ fault, kind, code, retryAfterMs }) => {
    sim.state.addFault(fault);
    const err = await caught(adapter.create(master, keyRequest()));
    expect(err).toMatchObject({ venue: 'bybit', kind, code, retryable: true });
    if (retryAfterMs !== undefined) expect(err.retryAfterMs).toBe(retryAfterMs);
  });

  it('should be clock-skew (retryable) when the adapter clock is 10 s behind Bybit', async () => {
    const behind = new FakeClock(new Date(clock.nowMs() - 10_000));
    const skewed = createBybitAdapter({ endpoint: sim.url, clock: behind });
    expect(await caught(skewed.validate(master))).toMatchObject({ kind: 'clock-skew', code: '10002', retryable: true });
  });

  it('should be auth when the master secret is wrong', async () => {
    expect(await caught(adapter.create({ keyId: MASTER_KEY, secret: 'wrong' }, keyRequest()))).toMatchObject({ kind: 'auth', code: '10004' });
  });

  it('should be permission when a sub key tries to create keys', async () => {
    const sub = await adapter.create(master, keyRequest());
    expect(await caught(adapter.create(sub.credentials, keyRequest()))).toMatchObject({ kind: 'permission', code: '10005' });
  });

  it('should be rate-limit with the reset delay when creates exceed 1/s', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock });
    try {
      const limitedAdapter = createBybitAdapter({ endpoint: limited.url, clock: limitedClock });
      await limitedAdapter.create(master, keyRequest());
      await limitedClock.advance(400);
      expect(await caught(limitedAdapter.create(master, keyRequest()))).toMatchObject({ kind: 'rate-limit', code: '10006', retryAfterMs: 600 });
    } finally {
      await limited.stop();
    }
  });

  it('should be unavailable when nothing listens at the endpoint', async () => {
    const gone = await startSim({ clock });
    await gone.stop();
    const dead = createBybitAdapter({ endpoint: gone.url, clock });
    expect(await caught(dead.validate(master))).toMatchObject({ kind: 'unavailable', code: 'ECONNREFUSED' });
  });
});
