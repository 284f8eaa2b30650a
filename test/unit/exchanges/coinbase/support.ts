// Shared helpers for the Coinbase tests: a simulator on a loopback port, CDP key pairs, and JWTs
// built by hand with node:crypto (so the simulator is checked, not our validator's token code).

import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { request } from 'undici';
import type { Clock } from '../../../../src/runtime/clock.ts';
import { startCoinbaseSimulator, type CoinbaseSimulator } from '../../../../src/exchanges/coinbase/simulator/index.ts';

export const PATH = '/api/v3/brokerage/key_permissions';

/** A CDP key pair: the name, the private key PEM (SEC1 for EC, as the portal gives it) and the public PEM. */
export interface CdpPair {
  name: string;
  privateKey: string;
  publicKey: string;
}

/** A fresh ECDSA P-256 or Ed25519 pair named under a test organization. */
export function cdpPair(algorithm: 'ECDSA' | 'Ed25519' = 'ECDSA', id = 'k1'): CdpPair {
  const pair = algorithm === 'ECDSA' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('ed25519');
  return {
    name: `organizations/test-org/apiKeys/${id}`,
    privateKey: pair.privateKey.export(algorithm === 'ECDSA' ? { type: 'sec1', format: 'pem' } : { type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The CDP portal's base64 Ed25519 secret (seed then public key) for a PKCS#8 PEM. */
export function cdpEd25519Secret(privateKeyPem: string): string {
  const key = createPrivateKey(privateKeyPem);
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')]).toString('base64');
}

/** Starts a simulator on 127.0.0.1:0. */
export function startSim(options: { clock?: Clock; rateLimits?: boolean } = {}): Promise<CoinbaseSimulator> {
  return startCoinbaseSimulator(options);
}

/** What a hand-built token says; every field may be overridden. */
export interface TokenSpec {
  pair: CdpPair;
  nowSeconds: number;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** DER instead of JWS's raw r||s (ES256 only). */
  derSignature?: boolean;
}

/** A JWT signed by hand: header {alg, kid, nonce, typ}, claims {sub, iss: cdp, nbf, exp, uri}. */
export function handToken(spec: TokenSpec, host: string): string {
  const key = createPrivateKey(spec.pair.privateKey);
  const ed = key.asymmetricKeyType === 'ed25519';
  const header = { alg: ed ? 'EdDSA' : 'ES256', kid: spec.pair.name, nonce: 'a1b2c3d4e5f60718', typ: 'JWT', ...spec.header };
  const claims = { sub: spec.pair.name, iss: 'cdp', nbf: spec.nowSeconds, exp: spec.nowSeconds + 120, uri: `GET ${host}${PATH}`, ...spec.claims };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = ed
    ? sign(null, Buffer.from(input), key)
    : sign('sha256', Buffer.from(input), { key, dsaEncoding: spec.derSignature ? 'der' : 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** GET key_permissions with an Authorization header as given (none when undefined). */
export async function getPermissions(baseUrl: string, authorization: string | undefined, path = PATH): Promise<{ status: number; text: string }> {
  const res = await request(`${baseUrl}${path}`, { method: 'GET', headers: authorization === undefined ? {} : { Authorization: authorization } });
  return { status: res.statusCode, text: await res.body.text() };
}

/** The host:port a simulator URL names (what a token minted for it puts in `uri`). */
export function hostOf(url: string): string {
  return new URL(url).host;
}

/** Calls the control API. */
export async function admin(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await request(`${baseUrl}/__sim/${path}`, { method: method as 'GET', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.statusCode, json: await res.body.json() };
}
