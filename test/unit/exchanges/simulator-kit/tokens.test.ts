import { describe, expect, it } from 'vitest';
import { randomToken } from '../../../../src/exchanges/simulator-kit/tokens.ts';

describe('randomToken', () => {
  it.each([
    { name: 'should give alphanumerics of the asked length when no alphabet is given', length: 64, alphabet: undefined, pattern: /^[A-Za-z0-9]{64}$/ },
    { name: 'should use only the given alphabet when one is given', length: 40, alphabet: 'ab', pattern: /^[ab]{40}$/ },
    { name: 'should give an empty string when the length is 0', length: 0, alphabet: undefined, pattern: /^$/ },
  ])('$name', ({ length, alphabet, pattern }) => {
    expect(randomToken(length, alphabet)).toMatch(pattern);
  });

  it('should differ between calls when the length is large enough', () => {
    expect(randomToken(32)).not.toBe(randomToken(32));
  });
});
