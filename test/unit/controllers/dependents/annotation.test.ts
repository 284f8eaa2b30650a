// keyVersionAnnotation: one valid qualified annotation key per ExchangeKey name.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KEY_VERSION_ANNOTATION_PREFIX, keyVersionAnnotation } from '../../../../src/controllers/dependents/annotation.ts';

// Kubernetes' qualified-name rule for the part after the prefix.
const namePart = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const max253 = `${'a'.repeat(61)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`;

function namePartOf(key: string): string {
  expect(key.startsWith(KEY_VERSION_ANNOTATION_PREFIX)).toBe(true);
  return key.slice(KEY_VERSION_ANNOTATION_PREFIX.length);
}

describe('keyVersionAnnotation', () => {
  it.each([
    ['should use the name as is when it is short', 'bybit-mm', 'key-version.exkey.io/bybit-mm'],
    ['should keep dots of a DNS-subdomain name', 'bybit.mm.eu', 'key-version.exkey.io/bybit.mm.eu'],
    ['should keep a name of exactly 63 characters', 'k'.repeat(63), `key-version.exkey.io/${'k'.repeat(63)}`],
  ])('%s', (_name, input, expected) => {
    expect(keyVersionAnnotation(input)).toBe(expected);
  });

  it.each([
    ['64 characters', 'k'.repeat(64)],
    ['a 253-character DNS subdomain', max253],
    ['a name whose 54th character is a dash', `${'a'.repeat(53)}-${'b'.repeat(20)}`],
    ['a name whose 54th character is a dot', `${'a'.repeat(53)}.${'b'.repeat(20)}`],
  ])('should shorten %s to 54 characters, a dash and 8 hex digits of its sha256', (_name, input) => {
    const part = namePartOf(keyVersionAnnotation(input));
    const digest = createHash('sha256').update(input).digest('hex').slice(0, 8);
    expect(part).toBe(`${input.slice(0, 54)}-${digest}`);
    expect(part).toHaveLength(63);
    expect(part).toMatch(namePart);
  });

  it('should give different keys to long names that share their first 54 characters', () => {
    const base = 'x'.repeat(60);
    expect(keyVersionAnnotation(`${base}-one`)).not.toBe(keyVersionAnnotation(`${base}-two`));
  });

  it('should give each ExchangeKey its own annotation so one workload can depend on several keys', () => {
    expect(new Set(['bybit-mm', 'okx-mm', 'k'.repeat(70)].map(keyVersionAnnotation)).size).toBe(3);
  });

  it.each(['a', 'bybit-mm', 'k'.repeat(63), 'k'.repeat(64), max253, `${'a'.repeat(53)}.x${'b'.repeat(20)}`])(
    'should always produce a valid qualified annotation key for %s', (input) => {
      const part = namePartOf(keyVersionAnnotation(input));
      expect(part.length).toBeLessThanOrEqual(63);
      expect(part).toMatch(namePart);
    },
  );

  it('should refuse an empty name', () => {
    expect(() => keyVersionAnnotation('')).toThrow(/name is required/);
  });
});
