// The simulator refuses what Deribit refuses, with Deribit's codes, checked with hand-built
// requests: signature credentials over the raw bytes, the 60 s timestamp window, single-use
// nonces, public/auth grants (the documented client_signature example included), bearer tokens,
// IP whitelists, scopes, TFA and the credit limit.

import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeribitSimulator } from '../../../../src/exchanges/deribit/simulator/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_KEY, MASTER_SECRET, createKey, rawCall, referenceHmac, rpcBody, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const LIST = '/api/v2/private/list_api_keys';
let sim: DeribitSimulator;

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.reset();
  sim.state.setRateLimits(false);
});

describe('signature credentials (deri-hmac-sha256)', () => {
  it('should accept a GET signed over its path and query when the signature is right', async () => {
    const answer = await rawCall(sim.url, { uri: '/api/v2/private/get_account_summary?currency=BTC' }, clock);
    expect(answer.status).toBe(200);
    expect(answer.json.result).toMatchObject({ currency: 'BTC', type: 'main' });
    expect(answer.json.usIn).toBe(clock.nowMs() * 1000);
  });

  it('should accept a POSTed JSON-RPC body and echo its id when the body is signed', async () => {
    const answer = await rawCall(sim.url, { uri: LIST, body: rpcBody('private/list_api_keys') }, clock);
    expect(answer.json).toMatchObject({ id: 42, result: [{ client_id: MASTER_KEY, client_secret: MASTER_SECRET }] });
  });

  it.each([
    { name: 'should answer 13009 when the signature is wrong', call: { sig: 'f'.repeat(64) }, code: 13009, reason: 'bad signature' },
    { name: 'should answer 13009 when it was made with another secret', call: { secret: 'nope' }, code: 13009, reason: 'bad signature' },
    { name: 'should answer 13004 when the client id is unknown', call: { clientId: 'unknown1' }, code: 13004, reason: undefined },
    { name: 'should answer 13009 when the timestamp is 61 s old', call: { timestamp: Date.parse('2026-01-05T11:58:59Z') }, code: 13009, reason: 'timestamp outside the 60 s validity window' },
    { name: 'should answer 13009 when the timestamp is 61 s ahead', call: { timestamp: Date.parse('2026-01-05T12:01:01Z') }, code: 13009, reason: 'timestamp outside the 60 s validity window' },
    { name: 'should answer 13009 when the header is missing', call: { authorization: null }, code: 13009, reason: 'missing or unsupported authorization' },
    { name: 'should answer 13009 when a field is missing', call: { authorization: `deri-hmac-sha256 id=${MASTER_KEY},ts=1` }, code: 13009, reason: 'incomplete signature credentials' },
  ])('$name', async ({ call, code, reason }) => {
    const answer = await rawCall(sim.url, { uri: LIST, ...call }, clock);
    expect(answer.status).toBe(401);
    expect(answer.json.error).toMatchObject({ code, ...(reason ? { data: { reason } } : {}) });
  });

  it('should accept a timestamp exactly 60 s old when it is still inside the window', async () => {
    const answer = await rawCall(sim.url, { uri: LIST, timestamp: clock.nowMs() - 60_000 }, clock);
    expect(answer.status).toBe(200);
  });

  it('should verify the bytes received when a body differs from the one signed', async () => {
    const ts = clock.nowMs();
    const signedBody = rpcBody('private/list_api_keys');
    const sig = referenceHmac(MASTER_SECRET, `${ts}\nx1\nPOST\n${LIST}\n${signedBody}\n`);
    const answer = await rawCall(sim.url, { uri: LIST, body: `${signedBody} `, timestamp: ts, nonce: 'x1', sig }, clock);
    expect(answer.json.error?.code).toBe(13009);
  });

  it('should refuse a nonce the key has already used when it is replayed', async () => {
    const first = await rawCall(sim.url, { uri: LIST, nonce: 'once' }, clock);
    const replay = await rawCall(sim.url, { uri: LIST, nonce: 'once' }, clock);
    expect(first.status).toBe(200);
    expect(replay.json.error).toMatchObject({ code: 13009, data: { reason: 'nonce already used' } });
  });

  it('should refuse signature credentials when the key is asymmetric', async () => {
    const pair = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const created = await rawCall(sim.url, { uri: '/api/v2/private/create_api_key', body: rpcBody('private/create_api_key', { max_scope: 'account:read', public_key: pair.publicKey }) }, clock);
    const clientId = created.json.result.client_id as string;
    const answer = await rawCall(sim.url, { uri: LIST, clientId, secret: created.json.result.client_secret }, clock);
    expect(answer.json.error).toMatchObject({ code: 13004 });
  });

  it('should answer 13021 when the caller is outside the key\'s IP whitelist', async () => {
    const key = await createKey(sim.url, clock);
    sim.state.patchKey(key.clientId, { ipWhitelist: ['10.1.2.3'] });
    const answer = await rawCall(sim.url, { uri: LIST, clientId: key.clientId, secret: key.secret }, clock);
    expect(answer.json.error).toMatchObject({ code: 13021 });
  });
});

describe('public/auth', () => {
  const auth = (params: Record<string, unknown>): Promise<{ status: number; json: any }> =>
    rawCall(sim.url, { uri: '/api/v2/public/auth', body: rpcBody('public/auth', params), authorization: null }, clock);

  it('should accept Deribit\'s documented client_signature example when the clock reads its timestamp', async () => {
    const amanda = new FakeClock(new Date(1576074319000));
    const docSim = await startSim({ clock: amanda, masterKey: 'AMANDA', masterSecret: 'AMANDASECRECT' });
    try {
      const answer = await rawCall(docSim.url, {
        uri: '/api/v2/public/auth', authorization: null,
        body: rpcBody('public/auth', { grant_type: 'client_signature', client_id: 'AMANDA', timestamp: 1576074319000, nonce: '1iqt2wls', data: '', signature: '56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1' }),
      }, amanda);
      expect(answer.json.result).toMatchObject({ token_type: 'bearer', expires_in: 900, scope: expect.stringContaining('mainaccount') });
    } finally {
      await docSim.stop();
    }
  });

  it('should issue a bearer token that private methods accept when client_credentials are right', async () => {
    const answer = await auth({ grant_type: 'client_credentials', client_id: MASTER_KEY, client_secret: MASTER_SECRET });
    // Deribit's notice: client_credentials may narrow wallet:read_write to wallet:read.
    expect(answer.json.result.scope).toContain('wallet:read ');
    const listed = await rawCall(sim.url, { uri: LIST, authorization: `bearer ${answer.json.result.access_token as string}` }, clock);
    expect(listed.status).toBe(200);
  });

  it.each([
    { name: 'should answer 13004 when the client secret is wrong', params: { grant_type: 'client_credentials', client_id: MASTER_KEY, client_secret: 'x' }, code: 13004 },
    { name: 'should answer 13004 when the client id is unknown', params: { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }, code: 13004 },
    { name: 'should answer 13009 when a client_signature is wrong', params: { grant_type: 'client_signature', client_id: MASTER_KEY, timestamp: Date.parse('2026-01-05T12:00:00Z'), nonce: 'a', data: '', signature: '00' }, code: 13009 },
    { name: 'should answer 13009 when a client_signature is stale', params: { grant_type: 'client_signature', client_id: MASTER_KEY, timestamp: Date.parse('2026-01-05T11:50:00Z'), nonce: 'a', data: '', signature: '00' }, code: 13009 },
    { name: 'should answer -32602 when the grant type is unknown', params: { grant_type: 'password' }, code: -32602 },
  ])('$name', async ({ params, code }) => {
    expect((await auth(params)).json.error?.code).toBe(code);
  });

  it('should answer 13009 when a bearer token has expired', async () => {
    const token = (await auth({ grant_type: 'client_credentials', client_id: MASTER_KEY, client_secret: MASTER_SECRET })).json.result.access_token as string;
    await clock.advance(901_000);
    const answer = await rawCall(sim.url, { uri: LIST, authorization: `bearer ${token}` }, clock);
    expect(answer.json.error).toMatchObject({ code: 13009, data: { reason: 'invalid or expired token' } });
  });

  it('should verify an Ed25519 client_signature with the registered public key alone', async () => {
    const pair = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const created = await rawCall(sim.url, { uri: '/api/v2/private/create_api_key', body: rpcBody('private/create_api_key', { max_scope: 'account:read', public_key: pair.publicKey }) }, clock);
    const clientId = created.json.result.client_id as string;
    const ts = clock.nowMs();
    const signature = sign(null, Buffer.from(`${ts}\nn1\n`), pair.privateKey).toString('base64url');
    const ok = await auth({ grant_type: 'client_signature', client_id: clientId, timestamp: ts, nonce: 'n1', data: '', signature });
    expect(ok.json.result.scope).toContain('account:read');
    const viaSecret = await auth({ grant_type: 'client_credentials', client_id: clientId, client_secret: created.json.result.client_secret });
    expect(viaSecret.json.error?.code).toBe(13004);
  });
});

describe('scopes, TFA and the credit limit', () => {
  it('should answer 13021 when a read-only key calls a key-management method', async () => {
    const key = await createKey(sim.url, clock, { max_scope: 'account:read' });
    const answer = await rawCall(sim.url, { uri: '/api/v2/private/create_api_key', clientId: key.clientId, secret: key.secret, body: rpcBody('private/create_api_key', { max_scope: 'account:read' }) }, clock);
    expect(answer.json.error?.code).toBe(13021);
  });

  it('should answer 13403 when a key tries to create a key wider than itself', async () => {
    const key = await createKey(sim.url, clock, { max_scope: 'account:read_write trade:read' });
    const answer = await rawCall(sim.url, { uri: '/api/v2/private/create_api_key', clientId: key.clientId, secret: key.secret, body: rpcBody('private/create_api_key', { max_scope: 'trade:read_write' }) }, clock);
    expect(answer.json.error?.code).toBe(13403);
  });

  it('should ask for a security key instead of answering when the account has TFA for API keys on', async () => {
    sim.state.setTfa(true);
    const answer = await rawCall(sim.url, { uri: LIST, body: rpcBody('private/list_api_keys') }, clock);
    expect(answer.status).toBe(200);
    expect(answer.json.result).toMatchObject({ security_key_authorization_required: true, security_keys: [{ type: 'tfa' }] });
    const withCode = await rawCall(sim.url, { uri: LIST, body: rpcBody('private/list_api_keys', { authorization_data: '123456', challenge: 'x' }) }, clock);
    expect(withCode.json.error).toMatchObject({ code: 13668, data: { reason: 'tfa_code_not_matched' } });
    // remove is not "TFA required".
    const key = sim.state.listKeys()[0];
    expect(key?.client_id).toBe(MASTER_KEY);
  });

  it('should answer 10028 when the account\'s credits run out and refill after the window', async () => {
    sim.state.setRateLimits(true);
    for (let i = 0; i < 100; i++) expect((await rawCall(sim.url, { uri: LIST }, clock)).status).toBe(200);
    const refused = await rawCall(sim.url, { uri: LIST }, clock);
    expect(refused).toMatchObject({ status: 400, json: { error: { code: 10028, message: 'too_many_requests' } } });
    await clock.advance(5001);
    expect((await rawCall(sim.url, { uri: LIST }, clock)).status).toBe(200);
  });

  it('should answer -32601 when the method does not exist', async () => {
    const answer = await rawCall(sim.url, { uri: '/api/v2/private/no_such_method' }, clock);
    expect(answer.json.error?.code).toBe(-32601);
  });
});
