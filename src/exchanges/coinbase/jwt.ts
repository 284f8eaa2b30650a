// Coinbase CDP API-key JWTs (Advanced Trade REST), shared by the validator and the simulator.
// Sources: Coinbase "Coinbase App API Key Authentication" and "CDP API Authentication"
// (docs.cdp.coinbase.com): `Authorization: Bearer <JWT>` with header {alg: ES256 | EdDSA,
// kid: <key name>, nonce: <random hex>, typ: JWT} and claims {sub: <key name>, iss: "cdp",
// nbf, exp (at most 120 s after nbf), uri: "<METHOD> <host><path>"}. ES256 signatures are the
// raw 64-byte r||s (RFC 7518 §3.4), not DER. Built on node:crypto: no JWT library is needed.

import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';

/** The JWS algorithms CDP keys sign with. */
export type CdpAlgorithm = 'ES256' | 'EdDSA';

/** Longest lifetime Coinbase accepts: exp − nbf. */
export const MAX_JWT_LIFETIME_S = 120;

/** A private key ready to sign, and the algorithm it implies. */
export interface CdpSigningKey {
  key: KeyObject;
  alg: CdpAlgorithm;
}

// PKCS#8 DER prefix of an Ed25519 private key (RFC 8410), followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Reads a CDP private key: an EC (P-256) or Ed25519 PEM, or the base64 Ed25519 secret the CDP
 * portal shows (64 bytes: seed then public key). PEMs pasted with literal "\n" are accepted.
 * Throws an Error naming what is wrong (never the key).
 */
export function cdpSigningKey(privateKey: string): CdpSigningKey {
  const text = privateKey.trim().replaceAll('\\n', '\n');
  const key = text.startsWith('-----BEGIN') ? createPrivateKey(text) : ed25519FromSecret(text);
  if (key.asymmetricKeyType === 'ed25519') return { key, alg: 'EdDSA' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key, alg: 'ES256' };
  throw new Error(`a CDP key must be ECDSA P-256 or Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`);
}

function ed25519FromSecret(secret: string): KeyObject {
  const bytes = Buffer.from(secret, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || (bytes.length !== 64 && bytes.length !== 32)) {
    throw new Error('a CDP private key must be a PEM or the base64 Ed25519 secret');
  }
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
}

/** The `uri` claim: "GET api.coinbase.com/api/v3/brokerage/key_permissions" (no scheme, no query). */
export function uriClaim(method: string, host: string, path: string): string {
  return `${method.toUpperCase()} ${host}${path}`;
}

/** What one token says. */
export interface CdpJwtInput {
  /** The CDP key name ("organizations/<org>/apiKeys/<id>"): both `kid` and `sub`. */
  keyName: string;
  signingKey: CdpSigningKey;
  uri: string;
  nowSeconds: number;
  /** Defaults to 16 random bytes as hex. */
  nonce?: string;
}

/** A signed token valid from now for MAX_JWT_LIFETIME_S. */
export function cdpJwt(input: CdpJwtInput): string {
  const header = { alg: input.signingKey.alg, kid: input.keyName, nonce: input.nonce ?? randomBytes(16).toString('hex'), typ: 'JWT' };
  const claims = { sub: input.keyName, iss: 'cdp', nbf: input.nowSeconds, exp: input.nowSeconds + MAX_JWT_LIFETIME_S, uri: input.uri };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${jwsSign(input.signingKey, signingInput).toString('base64url')}`;
}

/** The JWS signature of `signingInput` (ES256: raw r||s). */
export function jwsSign(signingKey: CdpSigningKey, signingInput: string): Buffer {
  const data = Buffer.from(signingInput);
  return signingKey.alg === 'EdDSA'
    ? sign(null, data, signingKey.key)
    : sign('sha256', data, { key: signingKey.key, dsaEncoding: 'ieee-p1363' });
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
