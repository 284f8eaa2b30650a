import { describe, expect, it } from 'vitest';
import { KRAKEN_ERROR_KINDS, krakenError, krakenErrorKind } from '../../../../src/exchanges/kraken/errors.ts';

describe('krakenErrorKind', () => {
  it.each(Object.entries(KRAKEN_ERROR_KINDS))('should map %s to %s', (error, kind) => {
    expect(krakenErrorKind(error)).toBe(kind);
  });

  it.each([
    { name: 'should match by head when Kraken appends a detail', error: 'EGeneral:Invalid arguments:nonce', kind: 'invalid-request' },
    { name: 'should be terminal when the error is unknown', error: 'EFunding:Unknown asset', kind: 'invalid-request' },
  ])('$name', ({ error, kind }) => {
    expect(krakenErrorKind(error)).toBe(kind);
  });
});

describe('krakenError', () => {
  it('should keep the error string as code and suggest a delay when the rate limit is hit', () => {
    const err = krakenError(['EAPI:Rate limit exceeded'], 200);
    expect(err).toMatchObject({ venue: 'kraken', kind: 'rate-limit', code: 'EAPI:Rate limit exceeded', httpStatus: 200, retryable: true });
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });

  it('should be a non-retryable auth error when the key is invalid', () => {
    expect(krakenError(['EAPI:Invalid key'], 200)).toMatchObject({ kind: 'auth', retryable: false });
  });
});
