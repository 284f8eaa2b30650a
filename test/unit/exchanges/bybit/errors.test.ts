import { describe, expect, it } from 'vitest';
import { rateLimitResetMs, unwrapEnvelope } from '../../../../src/exchanges/bybit/client.ts';
import { bybitError, bybitErrorKind, bybitHttpError } from '../../../../src/exchanges/bybit/errors.ts';
import type { ExchangeErrorKind } from '../../../../src/exchanges/types.ts';

describe('bybitError', () => {
  it.each<{ name: string; retCode: number; kind: ExchangeErrorKind; retryable: boolean }>([
    { name: 'should be invalid-request when parameters are wrong (10001)', retCode: 10001, kind: 'invalid-request', retryable: false },
    { name: 'should be clock-skew when the timestamp is outside the window (10002)', retCode: 10002, kind: 'clock-skew', retryable: true },
    { name: 'should be auth when the key is invalid or deleted (10003)', retCode: 10003, kind: 'auth', retryable: false },
    { name: 'should be auth when the signature is wrong (10004)', retCode: 10004, kind: 'auth', retryable: false },
    { name: 'should be permission when the key lacks the permission (10005)', retCode: 10005, kind: 'permission', retryable: false },
    { name: 'should be rate-limit when the per-UID limit is hit (10006)', retCode: 10006, kind: 'rate-limit', retryable: true },
    { name: 'should be auth when user authentication fails (10007)', retCode: 10007, kind: 'auth', retryable: false },
    { name: 'should be permission when the caller IP is not bound (10010)', retCode: 10010, kind: 'permission', retryable: false },
    { name: 'should be unavailable when Bybit has an internal error (10016)', retCode: 10016, kind: 'unavailable', retryable: true },
    { name: 'should be unavailable when Bybit times out (10000)', retCode: 10000, kind: 'unavailable', retryable: true },
    { name: 'should be rate-limit when the per-IP limit is hit (10018)', retCode: 10018, kind: 'rate-limit', retryable: true },
    { name: 'should be auth when the key has expired (33004)', retCode: 33004, kind: 'auth', retryable: false },
    { name: 'should be invalid-request (terminal) when the retCode is unknown', retCode: 99999, kind: 'invalid-request', retryable: false },
  ])('$name', ({ retCode, kind, retryable }) => {
    const err = bybitError({ retCode, retMsg: 'msg', httpStatus: 200 });
    expect(bybitErrorKind(retCode)).toBe(kind);
    expect(err).toMatchObject({ venue: 'bybit', kind, code: String(retCode), httpStatus: 200, retryable });
    expect(err.message).toContain(`retCode ${retCode}`);
  });

  it('should suggest waiting one second when a rate limit has no reset time', () => {
    expect(bybitError({ retCode: 10006, retMsg: 'Too many visits' }).retryAfterMs).toBe(1000);
  });
});

describe('bybitHttpError', () => {
  it.each<{ name: string; status: number; kind: ExchangeErrorKind; retryAfterMs?: number }>([
    { name: 'should be auth when Bybit answers 401 without an envelope', status: 401, kind: 'auth' },
    { name: 'should be rate-limit with a long pause when Bybit answers 403 (IP ban)', status: 403, kind: 'rate-limit', retryAfterMs: 600_000 },
    { name: 'should be invalid-request when the path does not exist (404)', status: 404, kind: 'invalid-request' },
    { name: 'should be unavailable when the status is not an error Bybit documents', status: 302, kind: 'unavailable' },
  ])('$name', ({ status, kind, retryAfterMs }) => {
    const err = bybitHttpError(status, '<html>nope</html>');
    expect(err).toMatchObject({ kind, code: String(status), httpStatus: status });
    expect(err.retryAfterMs).toBe(retryAfterMs);
  });
});

describe('unwrapEnvelope', () => {
  const now = 1_767_614_400_000;
  const body = (retCode: number, result: unknown = {}): string => JSON.stringify({ retCode, retMsg: retCode === 0 ? '' : 'bad', result, retExtInfo: {}, time: now });

  it('should return result when retCode is 0', () => {
    expect(unwrapEnvelope({ status: 200, headers: {}, body: body(0, { a: 1 }) }, now)).toEqual({ a: 1 });
  });

  it.each<{ name: string; status: number; text: string; headers?: Record<string, string>; kind: ExchangeErrorKind; code: string; retryAfterMs?: number }>([
    { name: 'should map the retCode when Bybit answers 200 with an error', status: 200, text: body(10004), kind: 'auth', code: '10004' },
    { name: 'should map the retCode when Bybit answers 401 with an envelope', status: 401, text: body(10003), kind: 'auth', code: '10003' },
    { name: 'should take the wait from X-Bapi-Limit-Reset-Timestamp when rate limited', status: 200, text: body(10006), headers: { 'x-bapi-limit-reset-timestamp': String(now + 750) }, kind: 'rate-limit', code: '10006', retryAfterMs: 750 },
    { name: 'should fall back to the HTTP status when the body is not JSON', status: 401, text: 'Unauthorized', kind: 'auth', code: '401' },
    { name: 'should be a bad response when a 200 body is not an envelope', status: 200, text: '{"hello":1}', kind: 'unavailable', code: 'bad-response' },
  ])('$name', ({ status, text, headers = {}, kind, code, retryAfterMs }) => {
    let caught: unknown;
    try {
      unwrapEnvelope({ status, headers, body: text }, now);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ kind, code });
    if (retryAfterMs !== undefined) expect(caught).toMatchObject({ retryAfterMs });
  });
});

describe('rateLimitResetMs', () => {
  it.each([
    { name: 'should be the time until the reset when it is in the future', header: '1500', now: 1000, expected: 500 },
    { name: 'should be zero when the reset has passed', header: '900', now: 1000, expected: 0 },
    { name: 'should be undefined when the header is missing', header: undefined, now: 1000, expected: undefined },
    { name: 'should be undefined when the header is not a number', header: 'soon', now: 1000, expected: undefined },
  ])('$name', ({ header, now, expected }) => {
    const headers: Record<string, string> = header === undefined ? {} : { 'x-bapi-limit-reset-timestamp': header };
    expect(rateLimitResetMs(headers, now)).toBe(expected);
  });
});
