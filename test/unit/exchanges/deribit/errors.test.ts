// Deribit RPC error codes → exkey error kinds, clock skew recognised from usIn, and TFA refusals.

import { describe, expect, it } from 'vitest';
import { deribitError, deribitErrorKind, deribitHttpError, deribitTfaRequired } from '../../../../src/exchanges/deribit/errors.ts';

describe('deribitErrorKind', () => {
  it.each([
    [13004, 'auth'], [13009, 'auth'], [10000, 'auth'],
    [13021, 'permission'], [13403, 'permission'], [13668, 'permission'], [13012, 'permission'],
    [10028, 'rate-limit'], [10047, 'rate-limit'], [12998, 'rate-limit'],
    [10040, 'unavailable'], [11094, 'unavailable'], [13028, 'unavailable'], [13888, 'unavailable'],
    [-32602, 'invalid-request'], [-32601, 'invalid-request'], [11029, 'invalid-request'], [99999, 'invalid-request'],
  ])('should map code %i to %s', (code, kind) => {
    expect(deribitErrorKind(code)).toBe(kind);
  });
});

describe('deribitError', () => {
  it('should keep the code, reason and status and suggest a retry delay when the venue rate-limits', () => {
    const err = deribitError({ code: 10028, message: 'too_many_requests', httpStatus: 400 });
    expect(err).toMatchObject({ venue: 'deribit', kind: 'rate-limit', code: '10028', httpStatus: 400, retryAfterMs: 1000, retryable: true });
  });

  it.each([
    { name: 'should call a refused signature clock skew when the server time is 2 minutes ahead', serverUs: 1_000_120_000_000, expected: 'clock-skew' },
    { name: 'should call a refused signature auth when the clocks agree', serverUs: 1_000_000_500_000, expected: 'auth' },
  ])('$name', ({ serverUs, expected }) => {
    const err = deribitError({ code: 13009, message: 'unauthorized', reason: 'bad signature', serverUs, signedAtMs: 1_000_000_000 });
    expect(err.kind).toBe(expected);
    expect(err.message).toContain('unauthorized: bad signature (code 13009)');
  });

  it('should not call a forbidden answer clock skew when the clocks disagree', () => {
    expect(deribitError({ code: 13021, message: 'forbidden', serverUs: 9e15, signedAtMs: 0 }).kind).toBe('permission');
  });

  it('should name the fix when a method asks for a security key', () => {
    expect(deribitTfaRequired('private/create_api_key')).toMatchObject({ kind: 'permission', code: 'security_key_authorization_required' });
    expect(deribitTfaRequired('private/create_api_key').message).toMatch(/Turn off TFA for API key management/);
  });

  it.each([
    [401, 'auth'], [404, 'invalid-request'], [502, 'unavailable'],
  ])('should judge a body without JSON-RPC by HTTP %i as %s', (status, kind) => {
    expect(deribitHttpError(status, 'oops')).toMatchObject({ kind, code: String(status), httpStatus: status });
  });
});
