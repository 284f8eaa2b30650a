import { createHmac } from 'node:crypto';
import { RestClientV5 } from 'bybit-api';
import { describe, expect, it } from 'vitest';
import {
  bybitAuthHeaders,
  bybitPrehash,
  encodeBybitQuery,
  signBybitHmac,
  verifyBybitHmac,
} from '../../../../src/exchanges/bybit/signing.ts';

// Spelled out here on purpose, independent of the code under test.
function independentHmac(secret: string, text: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(text, 'utf8')).digest('hex');
}

const SECRET = 'ZxWvUtSrQpOnMlKjIhGfEdCbA0987654321z';

describe('bybitPrehash', () => {
  it.each([
    {
      name: 'should concatenate timestamp, key, window and query string when signing a GET',
      input: { timestamp: '1658384314791', apiKey: 'XXXXXXXXXX', recvWindow: '5000', payload: 'category=option&symbol=BTC-29JUL22-25000-C' },
      expected: '1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C',
    },
    {
      name: 'should concatenate the raw JSON body untouched when signing a POST',
      input: { timestamp: '1658385579423', apiKey: 'XXXXXXXXXX', recvWindow: '5000', payload: '{"category": "option"}' },
      expected: '1658385579423XXXXXXXXXX5000{"category": "option"}',
    },
    {
      name: 'should sign an empty payload when a GET has no parameters',
      input: { timestamp: '1', apiKey: 'k', recvWindow: '5000', payload: '' },
      expected: '1k5000',
    },
    {
      name: 'should sign an empty window when the header is not sent',
      input: { timestamp: '1', apiKey: 'k', recvWindow: '', payload: 'a=b' },
      expected: '1ka=b',
    },
    {
      name: 'should decode a byte payload as UTF-8 when the body arrives as bytes',
      input: { timestamp: '1', apiKey: 'k', recvWindow: '5000', payload: Buffer.from('{"note":"é"}', 'utf8') },
      expected: '1k5000{"note":"é"}',
    },
  ])('$name', ({ input, expected }) => {
    expect(bybitPrehash(input)).toBe(expected);
  });
});

describe('signBybitHmac', () => {
  it.each([
    { name: 'should match an independent HMAC when signing a GET', payload: 'subMemberId=200000002&limit=20' },
    { name: 'should match an independent HMAC when signing a POST', payload: '{"subuid":200000002,"readOnly":0,"permissions":{"Spot":["SpotTrade"]},"note":"xk0123456789_1"}' },
    { name: 'should match an independent HMAC when the payload is empty', payload: '' },
    { name: 'should match an independent HMAC when the payload has non-ASCII text', payload: '{"note":"ключ"}' },
  ])('$name', ({ payload }) => {
    const input = { timestamp: '1767614400000', apiKey: 'ABCDEFGHIJKLMNOPQR', recvWindow: '5000', payload };
    const signature = signBybitHmac(SECRET, input);
    expect(signature).toBe(independentHmac(SECRET, `1767614400000ABCDEFGHIJKLMNOPQR5000${payload}`));
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifyBybitHmac', () => {
  const input = { timestamp: '1767614400000', apiKey: 'ABCDEFGHIJKLMNOPQR', recvWindow: '5000', payload: 'a=1' };
  const good = independentHmac(SECRET, '1767614400000ABCDEFGHIJKLMNOPQR5000a=1');
  it.each([
    { name: 'should accept when the signature is right', signature: good, expected: true },
    { name: 'should accept when the right signature is upper-case hex', signature: good.toUpperCase(), expected: true },
    { name: 'should refuse when one hex digit differs', signature: `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`, expected: false },
    { name: 'should refuse when the signature is truncated', signature: good.slice(0, 40), expected: false },
    { name: 'should refuse when the signature is empty', signature: '', expected: false },
    { name: 'should refuse when signed with another secret', signature: independentHmac('other', '1767614400000ABCDEFGHIJKLMNOPQR5000a=1'), expected: false },
  ])('$name', ({ signature, expected }) => {
    expect(verifyBybitHmac(SECRET, input, signature)).toBe(expected);
  });
});

describe('encodeBybitQuery', () => {
  it.each([
    { name: 'should keep insertion order when serialising (Bybit does not sort)', params: { subMemberId: '2', limit: 20, cursor: 'abc' }, expected: 'subMemberId=2&limit=20&cursor=abc' },
    { name: 'should skip undefined values when a parameter is optional', params: { a: '1', cursor: undefined }, expected: 'a=1' },
    { name: 'should URI-encode values when they hold reserved characters', params: { note: 'a b&c=d' }, expected: 'note=a%20b%26c%3Dd' },
    { name: 'should return an empty string when there are no parameters', params: {}, expected: '' },
  ])('$name', ({ params, expected }) => {
    expect(encodeBybitQuery(params)).toBe(expected);
  });
});

describe('cross-check with bybit-api (an independent implementation)', () => {
  // bybit-api's own signing path: RestClientV5.signRequest, used by every private call it makes.
  interface SignResult { sign: string; timestamp: number; recvWindow: number; serializedParams: string }
  const client = new RestClientV5({ key: 'ABCDEFGHIJKLMNOPQR', secret: SECRET });
  const signWithBybitApi = (params: Record<string, unknown>, method: 'GET' | 'POST'): Promise<SignResult> =>
    (client as unknown as { signRequest(p: unknown, m: string, s: string): Promise<SignResult> }).signRequest(params, method, 'v5auth');

  it.each<{ name: string; method: 'GET' | 'POST'; params: Record<string, unknown> }>([
    { name: 'should produce the same signature as bybit-api when signing a GET', method: 'GET', params: { subMemberId: '200000002', limit: 20, cursor: 'a b' } },
    { name: 'should produce the same signature as bybit-api when signing a POST', method: 'POST', params: { subuid: 200000002, readOnly: 0, permissions: { Spot: ['SpotTrade'] }, ips: '10.0.0.1,10.0.0.2', note: 'xk0123456789_1' } },
  ])('$name', async ({ method, params }) => {
    const theirs = await signWithBybitApi(params, method);
    const payload = method === 'GET' ? encodeBybitQuery(params as Record<string, string | number>) : JSON.stringify(params);
    expect(payload).toBe(theirs.serializedParams);
    const ours = bybitAuthHeaders({
      apiKey: 'ABCDEFGHIJKLMNOPQR',
      secret: SECRET,
      timestampMs: theirs.timestamp,
      recvWindowMs: theirs.recvWindow,
      payload,
    });
    expect(ours['X-BAPI-SIGN']).toBe(theirs.sign);
    expect(ours['X-BAPI-TIMESTAMP']).toBe(String(theirs.timestamp));
    expect(ours['X-BAPI-RECV-WINDOW']).toBe('5000');
  });
});
