// The Deribit adapter against the simulator: the whole key lifecycle on the main account and on a
// sub-account, Ed25519 keys, and how every failure surfaces as an ExchangeError kind.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyPair } from '../../../../src/crypto/key-pair.ts';
import { createDeribitAdapter, createKeyParams } from '../../../../src/exchanges/deribit/adapter.ts';
import type { DeribitSimulator } from '../../../../src/exchanges/deribit/simulator/index.ts';
import { formatOwnerTag } from '../../../../src/exchanges/owner-tag.ts';
import type { Credentials, KeyRequest } from '../../../../src/exchanges/types.ts';
import { caught } from '../../../support/exchange-error.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, MASTER_SECRET, SUB_ACCOUNT, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET };
const OWNER_UID = '3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60718';
let sim: DeribitSimulator;
let adapter: ReturnType<typeof createDeribitAdapter>;

function keyRequest(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return { permissions: ['read', 'trade'], ipAllowlist: ['127.0.0.1'], keyType: 'hmac', owner: { uid: OWNER_UID, version: 1 }, ...overrides };
}

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
  adapter = createDeribitAdapter({ endpoint: sim.url, clock, timeoutMs: 300 });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.clearFaults();
  sim.state.setTfa(false);
});

describe('deribit adapter round trip', () => {
  it.each([
    { name: 'should create, validate, list, revoke and revoke again when the key lives on the main account', account: undefined, accountId: 100 },
    { name: 'should do the same through exchange_token when the key lives on a sub-account', account: SUB_ACCOUNT, accountId: 7 },
  ])('$name', async ({ account, accountId }) => {
    const request = keyRequest({ owner: { uid: OWNER_UID, version: 7 }, ...(account ? { account } : {}) });
    const issued = await adapter.create(master, request);
    expect(issued.credentials.keyId).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(issued.credentials.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({
      name: formatOwnerTag(request.owner), account_id: accountId, max_scope: 'account:read trade:read_write wallet:read', ip_whitelist: ['127.0.0.1'],
    });

    expect(await adapter.validate(issued.credentials, account)).toEqual({
      keyId: issued.credentials.keyId, permissions: ['read', 'trade'], unmappedPermissions: [], ipAllowlist: ['127.0.0.1'], withdrawEnabled: false,
    });
    const owned = await adapter.listOwned(master, OWNER_UID, account);
    expect(owned).toContainEqual({ keyId: issued.credentials.keyId, owner: { uid: OWNER_UID, version: 7 }, ...(account ? { account } : {}) });

    const ref = { keyId: issued.credentials.keyId, ...(account ? { account } : {}) };
    await adapter.revoke(master, ref);
    expect(sim.state.getKey(issued.credentials.keyId)?.deleted).toBe(true);
    expect(await caught(adapter.validate(issued.credentials, account))).toMatchObject({ venue: 'deribit', kind: 'auth', code: '13004', httpStatus: 401 });
    await expect(adapter.revoke(master, ref)).resolves.toBeUndefined();
    expect((await adapter.listOwned(master, OWNER_UID, account)).map((k) => k.keyId)).not.toContain(issued.credentials.keyId);
  });

  it('should register only the public key and validate with the private key when the key is Ed25519', async () => {
    const pair = await generateApiKeyPair('ed25519');
    const issued = await adapter.create(master, keyRequest({ keyType: 'ed25519', publicKey: pair.publicKeyPem, ipAllowlist: [] }));
    expect(issued.credentials).toEqual({ keyId: expect.any(String) });
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({ asymmetric: true, public_key: pair.publicKeyPem });
    const info = await adapter.validate({ ...issued.credentials, privateKey: pair.privateKeyPem });
    expect(info.permissions).toEqual(['read', 'trade']);
    const other = await generateApiKeyPair('ed25519');
    expect(await caught(adapter.validate({ ...issued.credentials, privateKey: other.privateKeyPem }))).toMatchObject({ kind: 'auth', code: '13009' });
  });

  it('should report drift when the key was changed venue-side', async () => {
    const issued = await adapter.create(master, keyRequest());
    sim.state.patchKey(issued.credentials.keyId, { maxScope: 'account:read trade:read_write wallet:read_write block_trade:read', ipWhitelist: ['127.0.0.1', '10.0.0.9'] });
    expect(await adapter.validate(issued.credentials)).toMatchObject({
      permissions: ['read', 'trade', 'transfer', 'withdraw'], unmappedPermissions: ['block_trade:read'], withdrawEnabled: true, ipAllowlist: ['127.0.0.1', '10.0.0.9'],
    });
  });

  it('should remove the new key when binding its IPs fails', async () => {
    sim.state.addFault({ kind: 'rpcError', code: 11094, pathPrefix: '/api/v2/private/edit_api_key', times: 1 });
    const before = sim.state.listKeys().filter((k) => !k.deleted).length;
    expect(await caught(adapter.create(master, keyRequest()))).toMatchObject({ kind: 'unavailable', code: '11094' });
    expect(sim.state.listKeys().filter((k) => !k.deleted)).toHaveLength(before);
  });
});

describe('deribit adapter failures', () => {
  it.each([
    { name: 'should refuse trade:spot alone before calling the venue', request: { permissions: ['trade:spot'] }, message: /trade:spot/ },
    { name: 'should refuse withdraw without transfer before calling the venue', request: { permissions: ['withdraw'] }, message: /"withdraw" alone/ },
    { name: 'should refuse a CIDR range before calling the venue', request: { ipAllowlist: ['10.0.0.0/8'] }, message: /not a single IP address/ },
    { name: 'should refuse an Ed25519 key without its public key', request: { keyType: 'ed25519' }, message: /needs the public key/ },
    { name: 'should refuse an account that is not a numeric sub-account id', request: { account: 'desk-a' }, message: /numeric Deribit sub-account id/ },
  ] as const)('$name', async ({ request, message }) => {
    const mark = sim.state.recentRequests().length;
    const err = await caught(adapter.create(master, keyRequest(request)));
    expect(err).toMatchObject({ kind: 'invalid-request', retryable: false });
    expect(err.message).toMatch(message);
    expect(sim.state.recentRequests().slice(mark).filter((r) => r.method === 'private/create_api_key')).toHaveLength(0);
  });

  it('should report auth when the managing secret is wrong', async () => {
    expect(await caught(adapter.listOwned({ keyId: MASTER_KEY, secret: 'wrong' }, OWNER_UID))).toMatchObject({ kind: 'auth', code: '13009' });
  });

  it('should report clock-skew when the operator clock is two minutes behind the venue', async () => {
    const behind = createDeribitAdapter({ endpoint: sim.url, clock: new FakeClock('2026-01-05T11:58:00Z'), timeoutMs: 300 });
    expect(await caught(behind.listOwned(master, OWNER_UID))).toMatchObject({ kind: 'clock-skew', code: '13009', retryable: true });
  });

  it('should report permission with the TFA fix when the account asks for a security key', async () => {
    sim.state.setTfa(true);
    const err = await caught(adapter.create(master, keyRequest()));
    expect(err).toMatchObject({ kind: 'permission', code: 'security_key_authorization_required' });
  });

  it('should report permission when the managing key may not grant the scope', async () => {
    const issued = await adapter.create(master, keyRequest({ ipAllowlist: [] }));
    sim.state.patchKey(issued.credentials.keyId, { maxScope: 'account:read_write trade:read' });
    const weak: Credentials = { keyId: issued.credentials.keyId, secret: issued.credentials.secret ?? '' };
    expect(await caught(adapter.create(weak, keyRequest()))).toMatchObject({ kind: 'permission', code: '13403' });
  });

  it.each([
    { name: 'should report rate-limit with a retry delay when the venue answers 10028', fault: { kind: 'rpcError', code: 10028 }, expected: { kind: 'rate-limit', code: '10028', retryAfterMs: 1000 } },
    { name: 'should report rate-limit with Retry-After when the venue answers HTTP 429', fault: { kind: 'status', status: 429, retryAfterSeconds: 3 }, expected: { kind: 'rate-limit', code: '429', retryAfterMs: 3000 } },
    { name: 'should report unavailable when the venue answers HTTP 503', fault: { kind: 'status', status: 503 }, expected: { kind: 'unavailable', code: '503' } },
    { name: 'should report unavailable when the venue holds the connection', fault: { kind: 'timeout' }, expected: { kind: 'unavailable', code: 'timeout' } },
  ] as const)('$name', async ({ fault, expected }) => {
    sim.state.addFault({ ...fault, times: 1 });
    const pending = caught(adapter.listOwned(master, OWNER_UID));
    if (fault.kind === 'timeout') await clock.advance(300);
    expect(await pending).toMatchObject(expected);
  });

  it('should never name a key with more than 16 characters when the version grows', () => {
    const params = createKeyParams(keyRequest({ owner: { uid: OWNER_UID, version: 46655 } }));
    expect(params.name).toMatch(/^[A-Za-z0-9_]{1,16}$/);
  });
});
