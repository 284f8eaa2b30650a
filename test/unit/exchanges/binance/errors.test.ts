// Binance error answers → ExchangeError kinds, codes and retry hints.

import { describe, expect, it } from 'vitest';
import { readAnswer } from '../../../../src/exchanges/binance/client.ts';
import { binanceErrorKind } from '../../../../src/exchanges/binance/errors.ts';
import { ExchangeError } from '../../../../src/exchanges/types.ts';

const NOW = Date.parse('2026-01-05T12:00:00Z');

function answerError(status: number, body: string, headers: Readonly<Record<string, string | undefined>> = {}): ExchangeError {
  try {
    readAnswer({ status, headers: Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)), body }, NOW);
  } catch (err) {
    if (err instanceof ExchangeError) return err;
    throw err;
  }
  throw new Error('expected an ExchangeError');
}

describe('binanceErrorKind', () => {
  it.each([
    { name: 'should be clock-skew when the timestamp is outside recvWindow', code: -1021, kind: 'clock-skew' },
    { name: 'should be auth when the signature is invalid', code: -1022, kind: 'auth' },
    { name: 'should be auth when the key, IP or permissions are rejected', code: -2015, kind: 'auth' },
    { name: 'should be auth when the key format is invalid', code: -2014, kind: 'auth' },
    { name: 'should be rate-limit when too much weight is used', code: -1003, kind: 'rate-limit' },
    { name: 'should be invalid-request when a mandatory parameter is missing', code: -1102, kind: 'invalid-request' },
    { name: 'should be invalid-request when recvWindow is too large', code: -1131, kind: 'invalid-request' },
    { name: 'should be permission when the caller is not authorized', code: -1002, kind: 'permission' },
    { name: 'should be unavailable when Binance is disconnected', code: -1001, kind: 'unavailable' },
    { name: 'should be invalid-request when the code is unknown', code: -99999, kind: 'invalid-request' },
  ])('$name', ({ code, kind }) => {
    expect(binanceErrorKind(code)).toBe(kind);
  });
});

describe('readAnswer', () => {
  it('should return the parsed body when the answer is a 200', () => {
    expect(readAnswer({ status: 200, headers: {}, body: '{"ipRestrict":false}' }, NOW)).toEqual({ ipRestrict: false });
  });

  it.each([
    {
      name: 'should keep the code and status when Binance answers -1021',
      status: 400, body: '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}', headers: {},
      expected: { kind: 'clock-skew', code: '-1021', httpStatus: 400, retryable: true },
    },
    {
      name: 'should be rate-limit with the ban length when Binance answers 418 with Retry-After',
      status: 418, body: '{"code":-1003,"msg":"Way too much request weight used; IP banned until 1767614700000."}', headers: { 'retry-after': '120' },
      expected: { kind: 'rate-limit', code: '-1003', httpStatus: 418, retryAfterMs: 120_000 },
    },
    {
      name: 'should be rate-limit when a 418 comes with no body',
      status: 418, body: '', headers: { 'retry-after': '60' },
      expected: { kind: 'rate-limit', code: '418', retryAfterMs: 60_000 },
    },
    {
      name: 'should be auth when a bare 401 comes back',
      status: 401, body: 'Unauthorized', headers: {}, expected: { kind: 'auth', code: '401' },
    },
    {
      name: 'should be unavailable when a 200 body is not JSON',
      status: 200, body: '<html>', headers: {}, expected: { kind: 'unavailable', code: 'bad-response' },
    },
  ])('$name', ({ status, body, headers, expected }) => {
    expect(answerError(status, body, headers)).toMatchObject({ venue: 'binance', ...expected });
  });
});
