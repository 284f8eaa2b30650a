import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cdpJwt, cdpSigningKey, uriClaim } from '../../../../src/exchanges/coinbase/jwt.ts';
import { cdpEd25519Secret, cdpPair } from './support.ts';

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; input: string; signature: Buffer } {
  const [h = '', c = '', s = ''] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), claims: JSON.parse(Buffer.from(c, 'base64url').toString()), input: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

describe('cdpSigningKey', () => {
  it.each([
    { name: 'should read an EC PRIVATE KEY PEM as ES256 when the portal gave an ECDSA key', key: () => cdpPair('ECDSA').privateKey, alg: 'ES256' },
    { name: 'should read a PEM pasted with literal \\n as ES256 when it came from an env var', key: () => cdpPair('ECDSA').privateKey.replaceAll('\n', '\\n'), alg: 'ES256' },
    { name: 'should read a PKCS#8 Ed25519 PEM as EdDSA', key: () => cdpPair('Ed25519').privateKey, alg: 'EdDSA' },
    { name: 'should read the portal\'s base64 Ed25519 secret as EdDSA', key: () => cdpEd25519Secret(cdpPair('Ed25519').privateKey), alg: 'EdDSA' },
  ])('$name', ({ key, alg }) => {
    expect(cdpSigningKey(key()).alg).toBe(alg);
  });

  it.each([
    { name: 'should refuse an RSA key', key: () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), message: /ECDSA P-256 or Ed25519/ },
    { name: 'should refuse text that is neither PEM nor base64', key: () => 'not a key!', message: /PEM or the base64 Ed25519 secret/ },
  ])('$name', ({ key, message }) => {
    expect(() => cdpSigningKey(key())).toThrow(message);
  });
});

describe('cdpJwt', () => {
  it.each(['ECDSA', 'Ed25519'] as const)('should carry Coinbase\'s header and claims and a verifiable signature when signing with an %s key', (algorithm) => {
    const pair = cdpPair(algorithm);
    const token = cdpJwt({ keyName: pair.name, signingKey: cdpSigningKey(pair.privateKey), uri: uriClaim('get', 'api.coinbase.com', '/api/v3/brokerage/key_permissions'), nowSeconds: 1_767_614_400, nonce: 'ab12' });
    const { header, claims, input, signature } = decode(token);
    expect(header).toEqual({ alg: algorithm === 'ECDSA' ? 'ES256' : 'EdDSA', kid: pair.name, nonce: 'ab12', typ: 'JWT' });
    expect(claims).toEqual({ sub: pair.name, iss: 'cdp', nbf: 1_767_614_400, exp: 1_767_614_520, uri: 'GET api.coinbase.com/api/v3/brokerage/key_permissions' });
    const publicKey = createPublicKey(pair.publicKey);
    const ok = algorithm === 'ECDSA'
      ? signature.length === 64 && verify('sha256', Buffer.from(input), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      : verify(null, Buffer.from(input), publicKey, signature);
    expect(ok).toBe(true);
  });

  it('should use a fresh random nonce when none is given', () => {
    const pair = cdpPair();
    const sign = (): unknown => decode(cdpJwt({ keyName: pair.name, signingKey: cdpSigningKey(pair.privateKey), uri: 'GET h/p', nowSeconds: 1 })).header.nonce;
    expect(sign()).toMatch(/^[0-9a-f]{32}$/);
    expect(sign()).not.toBe(sign());
  });
});
