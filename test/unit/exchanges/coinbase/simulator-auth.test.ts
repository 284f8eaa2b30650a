// The Coinbase simulator's JWT checks, with tokens built by hand (support.ts). Every refusal is
// Coinbase's bare 401; the request log says why.

import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../support/fake-clock.ts';
import { runningSimulator } from '../../../support/running-simulator.ts';
import { PATH, cdpPair, getPermissions, handToken, hostOf, startSim, type CdpPair, type TokenSpec } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const sim = runningSimulator(() => startSim({ clock, rateLimits: false }));
const now = (): number => Math.floor(clock.nowMs() / 1000);
let ec: CdpPair;
let ed: CdpPair;

beforeEach(() => {
  ec = cdpPair('ECDSA', 'ec');
  ed = cdpPair('Ed25519', 'ed');
  sim().state.addKey({ name: ec.name, publicKeyPem: ec.publicKey, can_view: true, can_trade: true, can_transfer: false, portfolioUuid: 'p-1' });
  sim().state.addKey({ name: ed.name, publicKeyPem: ed.publicKey, can_view: true, can_trade: false, can_transfer: false });
});

const bearer = (spec: Partial<TokenSpec> = {}, host = hostOf(sim().url)): string => `Bearer ${handToken({ pair: ec, nowSeconds: now(), ...spec }, host)}`;

describe('coinbase simulator authentication', () => {
  it('should answer key_permissions in Coinbase\'s shape when the ES256 token is right', async () => {
    const answer = await getPermissions(sim().url, bearer());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ can_view: true, can_trade: true, can_transfer: false, portfolio_uuid: 'p-1', portfolio_type: 'DEFAULT' });
  });

  it.each([
    { name: 'should accept an EdDSA token from an Ed25519 key', token: () => bearer({ pair: ed }) },
    { name: 'should accept a token minted for api.coinbase.com, the host the simulator stands in for', token: () => bearer({}, 'api.coinbase.com') },
    { name: 'should accept the legacy iss "coinbase-cloud" older SDKs send', token: () => bearer({ claims: { iss: 'coinbase-cloud', aud: ['retail_rest_api_proxy'] } }) },
    { name: 'should accept a `uris` list as the CDP SDKs send it', token: () => bearer({ claims: { uri: undefined, uris: [`GET ${hostOf(sim().url)}${PATH}`] } }) },
  ])('$name', async ({ token }) => {
    expect((await getPermissions(sim().url, token())).status).toBe(200);
  });

  it.each([
    { name: 'should refuse a call without Authorization', token: () => undefined, reason: 'no Bearer JWT' },
    { name: 'should refuse a token that is not a JWT', token: () => 'Bearer abc', reason: 'no Bearer JWT' },
    { name: 'should refuse alg none', token: () => bearer({ header: { alg: 'none' } }), reason: 'alg none is not ES256 or EdDSA' },
    { name: 'should refuse a token without a nonce', token: () => bearer({ header: { nonce: undefined } }), reason: 'header lacks kid or nonce' },
    { name: 'should refuse sub different from kid', token: () => bearer({ claims: { sub: ed.name } }), reason: 'sub differs from kid' },
    { name: 'should refuse an unknown key', token: () => bearer({ pair: { ...ec, name: 'organizations/test-org/apiKeys/nope' } }), reason: 'unknown or deleted key' },
    { name: 'should refuse an alg the key does not sign with', token: () => bearer({ pair: ed, header: { alg: 'ES256' } }), reason: 'key signs with EdDSA, token says ES256' },
    { name: 'should refuse a token signed by another private key', token: () => bearer({ pair: { ...cdpPair('ECDSA'), name: ec.name } }), reason: 'bad signature' },
    { name: 'should refuse a DER-encoded ES256 signature', token: () => bearer({ derSignature: true }), reason: 'bad signature' },
    { name: 'should refuse another issuer', token: () => bearer({ claims: { iss: 'me' } }), reason: 'iss me is not accepted' },
    { name: 'should refuse an expired token', token: () => bearer({ nowSeconds: now() - 121 }), reason: 'expired (exp)' },
    { name: 'should refuse a token not yet valid', token: () => bearer({ nowSeconds: now() + 5 }), reason: 'not yet valid (nbf)' },
    { name: 'should refuse a lifetime over 120 s', token: () => bearer({ claims: { exp: now() + 121 } }), reason: 'lifetime 121 s exceeds 120 s' },
    { name: 'should refuse a uri for another path', token: () => bearer({ claims: { uri: `GET ${hostOf(sim().url)}/api/v3/brokerage/accounts` } }), reason: /^uri does not match/ },
    { name: 'should refuse a uri for another method', token: () => bearer({ claims: { uri: `POST ${hostOf(sim().url)}${PATH}` } }), reason: /^uri does not match/ },
    { name: 'should refuse a uri for another host', token: () => bearer({}, 'api.example.com'), reason: /^uri does not match/ },
  ])('$name', async ({ token, reason }) => {
    expect(await getPermissions(sim().url, token())).toEqual({ status: 401, text: 'Unauthorized\n' });
    expect(sim().state.recentRequests().at(-1)?.reason).toEqual(typeof reason === 'string' ? reason : expect.stringMatching(reason));
  });

  it('should refuse tokens of a key once a human deleted it', async () => {
    const token = bearer();
    expect((await getPermissions(sim().url, token)).status).toBe(200);
    sim().state.deleteKey(ec.name);
    expect((await getPermissions(sim().url, token)).status).toBe(401);
  });

  it('should answer 404 in Coinbase\'s JSON shape when the path is unknown', async () => {
    const answer = await getPermissions(sim().url, bearer(), '/api/v3/brokerage/nothing');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'NOT_FOUND' });
  });
});
