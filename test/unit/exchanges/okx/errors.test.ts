import { describe, expect, it } from 'vitest';
import { unwrapEnvelope } from '../../../../src/exchanges/okx/client.ts';
import { OKX_CODE_KINDS, okxErrorKind, okxHttpError } from '../../../../src/exchanges/okx/errors.ts';
import { ExchangeError } from '../../../../src/exchanges/types.ts';

function thrown(fn: () => unknown): ExchangeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExchangeError) return err;
    throw err;
  }
  throw new Error('expected an ExchangeError');
}

describe('okxErrorKind', () => {
  it.each([
    { name: 'should be rate-limit when OKX says 50011', code: '50011', kind: 'rate-limit' },
    { name: 'should be rate-limit when OKX says 50061', code: '50061', kind: 'rate-limit' },
    { name: 'should be clock-skew when OKX says 50102', code: '50102', kind: 'clock-skew' },
    { name: 'should be auth when OKX says 50111 (invalid key)', code: '50111', kind: 'auth' },
    { name: 'should be auth when OKX says 50113 (invalid signature)', code: '50113', kind: 'auth' },
    { name: 'should be auth when OKX says 50105 (wrong passphrase)', code: '50105', kind: 'auth' },
    { name: 'should be permission when OKX says 50110 (IP not bound)', code: '50110', kind: 'permission' },
    { name: 'should be permission when OKX says 59500 (main account only)', code: '59500', kind: 'permission' },
    { name: 'should be not-found when OKX says 59506 (API key doesn\'t exist)', code: '59506', kind: 'not-found' },
    { name: 'should be unavailable when OKX says 50001', code: '50001', kind: 'unavailable' },
    { name: 'should be invalid-request when the code is unknown', code: '12345', kind: 'invalid-request' },
  ])('$name', ({ code, kind }) => {
    expect(okxErrorKind(code)).toBe(kind);
  });

  it('should list only five-digit codes', () => {
    expect(Object.keys(OKX_CODE_KINDS).every((c) => /^\d{5}$/.test(c))).toBe(true);
  });
});

describe('unwrapEnvelope', () => {
  it.each([
    { name: 'should return data when code is "0"', body: '{"code":"0","msg":"","data":[{"ts":"1"}]}', data: [{ ts: '1' }] },
    { name: 'should return data when code is the number 0', body: '{"code":0,"msg":"","data":[]}', data: [] },
  ])('$name', ({ body, data }) => {
    expect(unwrapEnvelope({ status: 200, headers: {}, body })).toEqual(data);
  });

  it('should keep code, message and status when OKX refuses', () => {
    const err = thrown(() => unwrapEnvelope({ status: 401, headers: {}, body: '{"code":"50113","msg":"Invalid signature.","data":[]}' }));
    expect(err).toMatchObject({ venue: 'okx', kind: 'auth', code: '50113', httpStatus: 401, message: 'okx: Invalid signature. (code 50113)' });
  });

  it('should add the endpoint window as retry hint when OKX rate-limits', () => {
    const err = thrown(() => unwrapEnvelope({ status: 200, headers: {}, body: '{"code":"50011","msg":"Rate limit reached.","data":[]}' }, 2000));
    expect(err).toMatchObject({ kind: 'rate-limit', retryAfterMs: 2000, retryable: true });
  });

  it.each([
    { name: 'should be unavailable when a 200 carries no envelope', status: 200, body: '<html>', kind: 'unavailable', code: 'bad-response' },
    { name: 'should be auth when a 401 carries no envelope', status: 401, body: 'Unauthorized', kind: 'auth', code: '401' },
    { name: 'should be invalid-request when a 404 carries no envelope', status: 404, body: 'Not Found', kind: 'invalid-request', code: '404' },
  ])('$name', ({ status, body, kind, code }) => {
    expect(thrown(() => unwrapEnvelope({ status, headers: {}, body }))).toMatchObject({ kind, code });
  });

  it('should be permission when OKX answers 403 without an envelope', () => {
    expect(okxHttpError(403, '')).toMatchObject({ kind: 'permission', code: '403' });
  });
});
