// The OKX adapter against the simulator: the full key lifecycle and how failures surface.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeyBody, createOkxAdapter } from '../../../../src/exchanges/okx/adapter.ts';
import type { OkxSimulator } from '../../../../src/exchanges/okx/simulator/index.ts';
import { isValidOkxPassphrase } from '../../../../src/exchanges/okx/passphrase.ts';
import { formatOwnerTag } from '../../../../src/exchanges/owner-tag.ts';
import type { Credentials, KeyRequest, Permission } from '../../../../src/exchanges/types.ts';
import { caught } from '../../../support/caught.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, MASTER_PASSPHRASE, MASTER_SECRET, SUB_ACCT, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET, passphrase: MASTER_PASSPHRASE };
const OWNER_UID = '3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60718';
let sim: OkxSimulator;
let adapter: ReturnType<typeof createOkxAdapter>;

// OKX refuses a label already used in the sub-account (59502): each request gets its own version.
let nextVersion = 100;

function keyRequest(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return {
    account: SUB_ACCT,
    permissions: ['read', 'trade'],
    ipAllowlist: ['127.0.0.1'],
    keyType: 'hmac',
    owner: { uid: OWNER_UID, version: nextVersion++ },
    ...overrides,
  };
}

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
  adapter = createOkxAdapter({ endpoint: sim.url, clock, timeoutMs: 300 });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.clearFaults();
});

describe('okx adapter round trip', () => {
  it('should create, validate, list, revoke and revoke again when driving the whole lifecycle', async () => {
    const request = keyRequest({ owner: { uid: OWNER_UID, version: 7 }, ipAllowlist: ['127.0.0.1', '10.0.0.0/24'] });
    const issued = await adapter.create(master, request);
    expect(issued.credentials.keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(issued.credentials.secret).toMatch(/^[0-9A-F]{32}$/);
    expect(isValidOkxPassphrase(issued.credentials.passphrase ?? '')).toBe(true);
    expect(issued.expiresAt).toBeUndefined();
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({
      label: formatOwnerTag(request.owner), subAcct: SUB_ACCT, perm: ['read_only', 'trade'], ips: ['127.0.0.1', '10.0.0.0/24'],
    });

    const info = await adapter.validate(issued.credentials, SUB_ACCT);
    expect(info).toEqual({
      keyId: issued.credentials.keyId,
      permissions: ['read', 'trade'],
      unmappedPermissions: [],
      ipAllowlist: ['127.0.0.1', '10.0.0.0/24'],
      withdrawEnabled: false,
    });
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ path: '/api/v5/account/config', apiKey: issued.credentials.keyId, code: '0' });

    const owned = await adapter.listOwned(master, OWNER_UID, SUB_ACCT);
    expect(owned).toContainEqual({ keyId: issued.credentials.keyId, owner: { uid: OWNER_UID, version: 7 }, account: SUB_ACCT });

    await adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_ACCT });
    expect(await caught(adapter.validate(issued.credentials, SUB_ACCT))).toMatchObject({ venue: 'okx', kind: 'auth', code: '50111', httpStatus: 401, retryable: false });
    await expect(adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_ACCT })).resolves.toBeUndefined();
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ path: '/api/v5/users/subaccount/delete-apikey', code: '59506' });
    expect((await adapter.listOwned(master, OWNER_UID, SUB_ACCT)).map((k) => k.keyId)).not.toContain(issued.credentials.keyId);
  });

  it.each<{ name: string; permissions: Permission[]; perm: string[]; expected: Permission[] }>([
    { name: 'should create read_only and read it back when a read key is asked for', permissions: ['read'], perm: ['read_only'], expected: ['read'] },
    { name: 'should create trade and read it back when trade is asked for', permissions: ['read', 'trade'], perm: ['read_only', 'trade'], expected: ['read', 'trade'] },
    { name: 'should create trade when every product is asked for', permissions: ['trade:spot', 'trade:derivatives', 'trade:options'], perm: ['read_only', 'trade'], expected: ['read', 'trade'] },
  ])('$name', async ({ permissions, perm, expected }) => {
    const issued = await adapter.create(master, keyRequest({ permissions }));
    expect(sim.state.getKey(issued.credentials.keyId)?.perm).toEqual(perm);
    expect((await adapter.validate(issued.credentials)).permissions).toEqual(expected);
  });

  it('should give every key version its own valid passphrase', async () => {
    const a = await adapter.create(master, keyRequest({ owner: { uid: OWNER_UID, version: 11 } }));
    const b = await adapter.create(master, keyRequest({ owner: { uid: OWNER_UID, version: 12 } }));
    expect(a.credentials.passphrase).not.toBe(b.credentials.passphrase);
  });

  it('should fail validation with permission when the key is bound to other IPs', async () => {
    const issued = await adapter.create(master, keyRequest({ ipAllowlist: ['10.0.0.9'] }));
    expect(await caught(adapter.validate(issued.credentials))).toMatchObject({ kind: 'permission', code: '50110' });
  });

  it('should report drift when the key is changed at the venue', async () => {
    const issued = await adapter.create(master, keyRequest());
    sim.state.patchKey(issued.credentials.keyId, { perm: ['read_only', 'trade', 'withdraw', 'earn'], ips: ['127.0.0.1', '10.1.1.1'] });
    expect(await adapter.validate(issued.credentials)).toMatchObject({
      permissions: ['read', 'trade', 'withdraw'], unmappedPermissions: ['earn'], withdrawEnabled: true, ipAllowlist: ['127.0.0.1', '10.1.1.1'],
    });
  });

  it('should find only keys tagged for the owner when listing a sub-account', async () => {
    const account = 'ownersub01';
    const mine: string[] = [];
    for (let version = 1; version <= 3; version++) {
      mine.push((await adapter.create(master, keyRequest({ account, owner: { uid: OWNER_UID, version } }))).credentials.keyId);
    }
    await adapter.create(master, keyRequest({ account, owner: { uid: '99999999-0000-0000-0000-000000000000', version: 1 } }));
    const owned = await adapter.listOwned(master, OWNER_UID, account);
    expect(owned.map((k) => k.keyId).sort()).toEqual([...mine].sort());
    expect(owned.map((k) => k.owner.version).sort()).toEqual([1, 2, 3]);
  });

  it('should treat revoking a key that never existed as done', async () => {
    await expect(adapter.revoke(master, { keyId: '00000000-0000-4000-8000-000000000000', account: SUB_ACCT })).resolves.toBeUndefined();
  });
});

describe('okx adapter refusals before any request', () => {
  it.each<{ name: string; request: KeyRequest; message: RegExp }>([
    { name: 'should refuse with invalid-request when withdraw is asked', request: keyRequest({ permissions: ['read', 'withdraw'] }), message: /"withdraw"/ },
    { name: 'should refuse with invalid-request when transfer is asked', request: keyRequest({ permissions: ['trade', 'transfer'] }), message: /"transfer"/ },
    { name: 'should refuse with invalid-request when only spot trading is asked', request: keyRequest({ permissions: ['read', 'trade:spot'] }), message: /"trade:spot" alone/ },
    { name: 'should refuse with invalid-request when the key type is rsa', request: keyRequest({ keyType: 'rsa' }), message: /key type "rsa"/ },
    { name: 'should refuse with invalid-request when the key type is ed25519', request: keyRequest({ keyType: 'ed25519' }), message: /key type "ed25519"/ },
    { name: 'should refuse with invalid-request when the account is missing', request: keyRequest({ account: undefined }), message: /sub-account name/ },
    { name: 'should refuse with invalid-request when the account is not a valid name', request: keyRequest({ account: 'desk-a' }), message: /sub-account name/ },
    { name: 'should refuse with invalid-request when an allowlist entry is not an address', request: keyRequest({ ipAllowlist: ['example.com'] }), message: /"example.com"/ },
    { name: 'should refuse with invalid-request when a segment prefix is too long', request: keyRequest({ ipAllowlist: ['10.0.0.0/33'] }), message: /"10.0.0.0\/33"/ },
    { name: 'should refuse with invalid-request when the allowlist has 21 entries', request: keyRequest({ ipAllowlist: Array.from({ length: 21 }, (_, i) => `10.0.0.${i + 1}`) }), message: /at most 20/ },
  ])('$name', async ({ request, message }) => {
    const before = sim.state.recentRequests().length;
    const err = await caught(adapter.create(master, request));
    expect(err).toMatchObject({ venue: 'okx', kind: 'invalid-request', retryable: false });
    expect(err.message).toMatch(message);
    expect(sim.state.recentRequests()).toHaveLength(before);
  });

  it.each([
    { name: 'should refuse listOwned with invalid-request when no sub-account is given', call: () => adapter.listOwned(master, OWNER_UID) },
    { name: 'should refuse revoke with invalid-request when no sub-account is given', call: () => adapter.revoke(master, { keyId: 'x' }) },
    { name: 'should refuse validate with invalid-request when the key has no passphrase', call: () => adapter.validate({ keyId: 'x', secret: 's' }) },
  ])('$name', async ({ call }) => {
    expect(await caught(call())).toMatchObject({ kind: 'invalid-request' });
  });

  it('should send ip comma-joined, the owner tag as label, and omit ip when the allowlist is empty', () => {
    expect(createKeyBody(keyRequest({ ipAllowlist: ['10.0.0.1', '10.0.0.2'], owner: { uid: OWNER_UID, version: 1 } }))).toMatchObject({
      subAcct: SUB_ACCT, ip: '10.0.0.1,10.0.0.2', perm: 'trade', label: formatOwnerTag({ uid: OWNER_UID, version: 1 }),
    });
    expect(createKeyBody(keyRequest({ ipAllowlist: [] }))).not.toHaveProperty('ip');
  });
});

describe('okx adapter failures', () => {
  it.each<{ name: string; fault: Parameters<OkxSimulator['state']['addFault']>[0]; kind: string; code: string; retryAfterMs?: number }>([
    { name: 'should be rate-limit with Retry-After when OKX answers 429 with it', fault: { kind: 'status', status: 429, retryAfterSeconds: 2 }, kind: 'rate-limit', code: '429', retryAfterMs: 2000 },
    { name: 'should be rate-limit with the endpoint window when OKX answers 429 without Retry-After', fault: { kind: 'status', status: 429 }, kind: 'rate-limit', code: '429', retryAfterMs: 1000 },
    { name: 'should be rate-limit with the endpoint window when OKX answers 50011', fault: { kind: 'code', code: '50011' }, kind: 'rate-limit', code: '429', retryAfterMs: 1000 },
    { name: 'should be rate-limit when OKX answers 50061', fault: { kind: 'code', code: '50061' }, kind: 'rate-limit', code: '50061', retryAfterMs: 1000 },
    { name: 'should be unavailable when OKX answers 503', fault: { kind: 'status', status: 503 }, kind: 'unavailable', code: '503' },
    { name: 'should be unavailable when OKX answers 50026 (HTTP 500)', fault: { kind: 'code', code: '50026' }, kind: 'unavailable', code: '500' },
    { name: 'should be clock-skew when OKX answers 50102', fault: { kind: 'code', code: '50102' }, kind: 'clock-skew', code: '50102' },
    { name: 'should be unavailable with code timeout when OKX holds the connection', fault: { kind: 'timeout' }, kind: 'unavailable', code: 'timeout' },
  ])('$name', async ({ fault, kind, code, retryAfterMs }) => {
    sim.state.addFault(fault);
    const err = await caught(adapter.create(master, keyRequest()));
    expect(err).toMatchObject({ venue: 'okx', kind, code, retryable: true });
    if (retryAfterMs !== undefined) expect(err.retryAfterMs).toBe(retryAfterMs);
  });

  it.each<{ name: string; fault: Parameters<OkxSimulator['state']['addFault']>[0]; kind: string; code: string }>([
    { name: 'should be not-found when OKX answers 59506 outside revoke', fault: { kind: 'code', code: '59506' }, kind: 'not-found', code: '59506' },
    { name: 'should be permission when OKX answers 50035', fault: { kind: 'code', code: '50035' }, kind: 'permission', code: '50035' },
    { name: 'should be invalid-request when OKX answers 59510', fault: { kind: 'code', code: '59510' }, kind: 'invalid-request', code: '59510' },
  ])('$name', async ({ fault, kind, code }) => {
    sim.state.addFault(fault);
    expect(await caught(adapter.create(master, keyRequest()))).toMatchObject({ kind, code, retryable: false });
  });

  it('should be clock-skew (retryable) when the adapter clock is 40 s behind OKX', async () => {
    const skewed = createOkxAdapter({ endpoint: sim.url, clock: new FakeClock(new Date(clock.nowMs() - 40_000)) });
    expect(await caught(skewed.validate(master))).toMatchObject({ kind: 'clock-skew', code: '50102', httpStatus: 401, retryable: true });
  });

  it.each([
    { name: 'should be auth (50113) when the master secret is wrong', creds: { ...master, secret: 'wrong' }, code: '50113' },
    { name: 'should be auth (50105) when the master passphrase is wrong', creds: { ...master, passphrase: 'Wrong-Pass1!' }, code: '50105' },
    { name: 'should be auth (50111) when the master key is unknown', creds: { ...master, keyId: 'nobody' }, code: '50111' },
  ])('$name', async ({ creds, code }) => {
    expect(await caught(adapter.create(creds, keyRequest()))).toMatchObject({ kind: 'auth', code, retryable: false });
  });

  it('should be permission (59500) when a sub-account key tries to create keys', async () => {
    const sub = await adapter.create(master, keyRequest());
    expect(await caught(adapter.create(sub.credentials, keyRequest()))).toMatchObject({ kind: 'permission', code: '59500' });
  });

  it('should be rate-limit with the window when creates exceed 1/s', async () => {
    const limitedClock = new FakeClock('2026-01-05T12:00:00Z');
    const limited = await startSim({ clock: limitedClock });
    try {
      const limitedAdapter = createOkxAdapter({ endpoint: limited.url, clock: limitedClock });
      await limitedAdapter.create(master, keyRequest());
      expect(await caught(limitedAdapter.create(master, keyRequest()))).toMatchObject({ kind: 'rate-limit', code: '429', retryAfterMs: 1000 });
    } finally {
      await limited.stop();
    }
  });

  it('should be unavailable when nothing listens at the endpoint', async () => {
    const gone = await startSim({ clock });
    await gone.stop();
    const dead = createOkxAdapter({ endpoint: gone.url, clock });
    expect(await caught(dead.validate(master))).toMatchObject({ kind: 'unavailable', code: 'ECONNREFUSED' });
  });
});
