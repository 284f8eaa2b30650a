// Binance request signing: the documented test vectors, and the asymmetric key types.

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  binancePayload, publicKeyType, signBinance, splitSignature, verifyBinance,
} from '../../../../src/exchanges/binance/signing.ts';

// Binance Spot API docs, "Request security", SIGNED endpoint examples for POST /api/v3/order
// (binance/binance-spot-api-docs rest-api.md; also rosssaunders/coincise docs/binance/spot/authentication.md).
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const DOC_PARAMS = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';

describe('signBinance with HMAC keys', () => {
  it.each([
    {
      name: 'should reproduce example 1 when all parameters are in the body',
      query: '', body: DOC_PARAMS, expected: 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71',
    },
    {
      name: 'should reproduce example 2 when all parameters are in the query string',
      query: DOC_PARAMS, body: '', expected: 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71',
    },
    {
      name: 'should reproduce example 3 when query string and body are joined with no "&"',
      query: 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC',
      body: 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
      expected: '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77',
    },
  ])('$name', ({ query, body, expected }) => {
    expect(signBinance({ kind: 'hmac', secret: DOC_SECRET }, binancePayload(query, body))).toBe(expected);
  });

  it.each([
    { name: 'should accept the signature when it is lower-case', signature: 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71', ok: true },
    { name: 'should accept the signature when it is upper-case (Binance: not case sensitive)', signature: 'C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71', ok: true },
    { name: 'should refuse the signature when one digit differs', signature: 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b72', ok: false },
  ])('$name', ({ signature, ok }) => {
    expect(verifyBinance({ kind: 'hmac', secret: DOC_SECRET }, DOC_PARAMS, signature)).toBe(ok);
  });
});

describe('signBinance with Ed25519 and RSA keys', () => {
  it.each(['ed25519', 'rsa'] as const)('should verify with the public key when a %s private key signs', (type) => {
    const pair = type === 'ed25519'
      ? generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const onWire = signBinance({ kind: 'asymmetric', privateKeyPem: pair.privateKey }, DOC_PARAMS);
    // base64 then URL-encoded: no raw '+', '/' or '=' on the wire.
    expect(onWire).not.toMatch(/[+/=]/);
    const signature = decodeURIComponent(onWire);
    expect(verifyBinance({ kind: 'asymmetric', publicKeyPem: pair.publicKey }, DOC_PARAMS, signature)).toBe(true);
    expect(verifyBinance({ kind: 'asymmetric', publicKeyPem: pair.publicKey }, `${DOC_PARAMS}0`, signature)).toBe(false);
    expect(publicKeyType(pair.publicKey)).toBe(type);
  });

  it('should refuse when the public key is not PEM', () => {
    expect(verifyBinance({ kind: 'asymmetric', publicKeyPem: 'not a key' }, DOC_PARAMS, 'AAAA')).toBe(false);
    expect(publicKeyType('not a key')).toBeUndefined();
  });
});

describe('splitSignature', () => {
  it.each([
    { name: 'should take the signature off the end when it is the last parameter', raw: 'a=1&b=2&signature=ab%2Bc', rest: 'a=1&b=2', signature: 'ab+c' },
    { name: 'should keep every other byte when the signature stands in the middle', raw: 'a=1&signature=ff&b=%20x', rest: 'a=1&b=%20x', signature: 'ff' },
    { name: 'should report no signature when there is none', raw: 'a=1&b=2', rest: 'a=1&b=2', signature: undefined },
    { name: 'should report nothing when the string is empty', raw: '', rest: '', signature: undefined },
  ])('$name', ({ raw, rest, signature }) => {
    expect(splitSignature(raw)).toEqual({ rest, signature });
  });
});
