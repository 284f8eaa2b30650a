import { describe, expect, it } from 'vitest';
import { envelopeAad, localWrapAad } from '../../../src/crypto/aad.ts';

const CONTEXT = { namespace: 'ns', name: 'sec', version: 7 };
const BINDING = { provider: 'local', keyRef: 'local:ab', wrappedKey: Buffer.from([0xde, 0xad]) };

describe('associated data', () => {
  it('should encode the documented bytes when building the envelope AAD', () => {
    const expected = [
      '00000011', Buffer.from('exkey.io/envelope').toString('hex'),
      '00000001',
      '00000007', Buffer.from('A256GCM').toString('hex'),
      '00000002', Buffer.from('ns').toString('hex'),
      '00000003', Buffer.from('sec').toString('hex'),
      '00000007',
      '00000005', Buffer.from('local').toString('hex'),
      '00000008', Buffer.from('local:ab').toString('hex'),
      '00000002', 'dead',
    ].join('');
    expect(envelopeAad(CONTEXT, BINDING).toString('hex')).toBe(expected);
  });

  it('should encode the documented bytes when building the local wrap AAD', () => {
    const expected = [
      '00000013', Buffer.from('exkey.io/local-wrap').toString('hex'),
      '00000001',
      '00000002', Buffer.from('ns').toString('hex'),
      '00000003', Buffer.from('sec').toString('hex'),
      '00000007',
      '00000002', Buffer.from('ab').toString('hex'),
    ].join('');
    expect(localWrapAad(CONTEXT, 'ab').toString('hex')).toBe(expected);
  });

  it.each([
    { what: 'characters shift between namespace and name', a: { ...CONTEXT, namespace: 'ab', name: 'c' }, b: { ...CONTEXT, namespace: 'a', name: 'bc' } },
    { what: 'the name ends in a dot-like split', a: { ...CONTEXT, name: 'a.b' }, b: { ...CONTEXT, name: 'a.b.' } },
    { what: 'only the version differs', a: CONTEXT, b: { ...CONTEXT, version: 8 } },
  ])('should differ when $what', ({ a, b }) => {
    expect(envelopeAad(a, BINDING).equals(envelopeAad(b, BINDING))).toBe(false);
    expect(localWrapAad(a, 'ab').equals(localWrapAad(b, 'ab'))).toBe(false);
  });

  it.each([
    { what: 'characters shift between provider and keyRef', other: { ...BINDING, provider: 'locall', keyRef: 'ocal:ab' } },
    { what: 'only the wrapped key differs', other: { ...BINDING, wrappedKey: Buffer.from([0xde, 0xae]) } },
    { what: 'the wrapped key is longer', other: { ...BINDING, wrappedKey: Buffer.from([0xde, 0xad, 0x00]) } },
  ])('should differ when $what', ({ other }) => {
    expect(envelopeAad(CONTEXT, BINDING).equals(envelopeAad(CONTEXT, other))).toBe(false);
  });

  it('should never equal the wrap AAD when built from the same values (domain separation)', () => {
    expect(envelopeAad(CONTEXT, BINDING).subarray(0, 24).equals(localWrapAad(CONTEXT, 'ab').subarray(0, 24))).toBe(false);
  });
});
