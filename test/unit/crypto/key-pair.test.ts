import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RSA_BITS, generateApiKeyPair } from '../../../src/crypto/key-pair.ts';

describe('generateApiKeyPair', () => {
  it.each([
    { type: 'ed25519' as const, algorithm: null },
    { type: 'rsa' as const, algorithm: 'sha256' },
  ])('should give a $type pair whose PEM halves sign and verify, public SPKI and private PKCS#8', async ({ type, algorithm }) => {
    const pair = await generateApiKeyPair(type);
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const message = Buffer.from('timestamp=1&recvWindow=5000');
    const signature = sign(algorithm, message, createPrivateKey(pair.privateKeyPem));
    expect(verify(algorithm, message, createPublicKey(pair.publicKeyPem), signature)).toBe(true);
    expect(createPublicKey(pair.publicKeyPem).asymmetricKeyType).toBe(type);
    if (type === 'rsa') expect(createPublicKey(pair.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(RSA_BITS);
  });

  it('should never give the same pair twice', async () => {
    const [a, b] = await Promise.all([generateApiKeyPair('ed25519'), generateApiKeyPair('ed25519')]);
    expect(a.privateKeyPem).not.toBe(b.privateKeyPem);
  });
});
