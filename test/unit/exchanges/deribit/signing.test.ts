// Deribit signing: the documented client_signature example, the HTTP StringToSign layout, the
// header round trip, and asymmetric signatures verified with the public key alone.

import { createHash, createHmac, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authStringToSign,
  deriHmacHeader,
  httpStringToSign,
  parseDeriHmacHeader,
  publicKeyFingerprint,
  signDeribitAsymmetric,
  signDeribitHmac,
  verifyDeribitAsymmetric,
  verifyDeribitHmac,
} from '../../../../src/exchanges/deribit/signing.ts';

describe('Deribit signatures', () => {
  // Deribit API v2.1.1, "Additional authorization method - signature credentials (WebSocket API)":
  // ClientSecret=AMANDASECRECT, Timestamp=1576074319000, Nonce=1iqt2wls, Data="" →
  // 56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1.
  it('should reproduce the documented client_signature example when signing it', () => {
    const stringToSign = authStringToSign('1576074319000', '1iqt2wls', '');
    expect(stringToSign).toBe('1576074319000\n1iqt2wls\n');
    expect(signDeribitHmac('AMANDASECRECT', stringToSign)).toBe('56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1');
  });

  it.each([
    {
      name: 'should end with three newlines around an empty body when a GET is signed',
      input: { timestamp: '1576074319000', nonce: 'abcd', method: 'get', uri: '/api/v2/private/get_account_summary?currency=BTC', body: '' },
      expected: '1576074319000\nabcd\nGET\n/api/v2/private/get_account_summary?currency=BTC\n\n',
    },
    {
      name: 'should sign the raw body bytes when a POST is signed',
      input: { timestamp: '1', nonce: 'n', method: 'POST', uri: '/api/v2/private/list_api_keys', body: Buffer.from('{"a":"é"}') },
      expected: '1\nn\nPOST\n/api/v2/private/list_api_keys\n{"a":"é"}\n',
    },
  ])('$name', ({ input, expected }) => {
    expect(httpStringToSign(input)).toBe(expected);
  });

  it('should agree with an independent HMAC and refuse a changed byte when verifying', () => {
    const text = httpStringToSign({ timestamp: '1', nonce: 'n', method: 'POST', uri: '/api/v2/x', body: '{}' });
    const reference = createHmac('sha256', 's3cret').update(text).digest('hex');
    expect(signDeribitHmac('s3cret', text)).toBe(reference);
    expect(verifyDeribitHmac('s3cret', text, reference.toUpperCase())).toBe(true);
    expect(verifyDeribitHmac('s3cret', `${text} `, reference)).toBe(false);
  });

  it.each([
    { name: 'should read the fields when they come in the documented order', header: 'deri-hmac-sha256 id=AMANDA,ts=1,sig=abc,nonce=n1' },
    { name: 'should read the fields when they come in the curl example order', header: 'deri-hmac-sha256 id=AMANDA,ts=1,nonce=n1,sig=abc' },
  ])('$name', ({ header }) => {
    expect(parseDeriHmacHeader(header)).toEqual({ id: 'AMANDA', ts: '1', sig: 'abc', nonce: 'n1' });
  });

  it('should round-trip the header it writes and ignore other schemes', () => {
    const header = deriHmacHeader({ clientId: 'c', timestamp: '2', signature: 'ff', nonce: 'x' });
    expect(header).toBe('deri-hmac-sha256 id=c,ts=2,sig=ff,nonce=x');
    expect(parseDeriHmacHeader(header)).toEqual({ id: 'c', ts: '2', sig: 'ff', nonce: 'x' });
    expect(parseDeriHmacHeader('bearer abc')).toBeUndefined();
  });

  it.each(['ed25519', 'rsa'] as const)('should produce an unpadded base64url %s signature that the public key alone verifies', (type) => {
    const pair = type === 'ed25519'
      ? generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const text = authStringToSign('1700000000000', 'abc', '');
    const signature = signDeribitAsymmetric(pair.privateKey, text);
    expect(signature).toMatch(/^[A-Za-z0-9_-]+$/);
    const publicKey = createPublicKey(pair.publicKey);
    // Independent check with node:crypto directly.
    expect(verify(type === 'ed25519' ? null : 'sha256', Buffer.from(text), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(verifyDeribitAsymmetric(publicKey, text, signature)).toBe(true);
    expect(verifyDeribitAsymmetric(publicKey, `${text}x`, signature)).toBe(false);
  });

  it('should fingerprint a public key as the MD5 of its DER SPKI bytes', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(publicKeyFingerprint(publicKey)).toBe(createHash('md5').update(der).digest('hex'));
  });
});
