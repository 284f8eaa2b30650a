import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, encodeQuery, hmacSha256 } from '../../../src/exchanges/signing.ts';

describe('hmacSha256', () => {
  it('should match Binance\'s documented signature when given its test vector as hex', () => {
    const secret = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
    const query = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    expect(hmacSha256(secret, [query], 'hex')).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });

  it.each([
    { name: 'should equal the HMAC of the joined string when parts are strings (OKX base64)', parts: ['2020-12-08T09:08:57.715Z', 'GET', '/api/v5/account/config', ''], encoding: 'base64' as const },
    { name: 'should equal the HMAC of the joined bytes when parts mix strings and bytes', parts: ['1700000000000\nnonce\n', new TextEncoder().encode('POST\n/api/v2/x\n{"a":1}\n')], encoding: 'hex' as const },
  ])('$name', ({ parts, encoding }) => {
    const joined = Buffer.concat(parts.map((p) => Buffer.from(p)));
    expect(hmacSha256('s3cret', parts, encoding)).toBe(createHmac('sha256', 's3cret').update(joined).digest(encoding));
  });
});

describe('constantTimeEqual', () => {
  it.each([
    { name: 'should be true when the strings are equal', a: 'abc', b: 'abc', equal: true },
    { name: 'should be false when one character differs', a: 'abc', b: 'abd', equal: false },
    { name: 'should be false when the lengths differ', a: 'abc', b: 'abcd', equal: false },
  ])('$name', ({ a, b, equal }) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});

describe('encodeQuery', () => {
  it('should keep insertion order, encode values and skip undefined when serialising', () => {
    expect(encodeQuery({ b: 2, a: 'x y', skip: undefined, c: 'é&' })).toBe('b=2&a=x%20y&c=%C3%A9%26');
  });
});
