import { describe, expect, it } from 'vitest';
import { fromBase64Strict } from '../../../src/crypto/base64.ts';
import { parseEnvelope } from '../../../src/crypto/envelope-codec.ts';
import { EnvelopeError } from '../../../src/crypto/errors.ts';

const VALID = {
  v: 1, alg: 'A256GCM', provider: 'local', keyRef: 'local:c0ffee01', ns: 'trading', name: 'bybit-mm-key', version: 3,
  wrappedKey: Buffer.alloc(60, 1).toString('base64'), iv: Buffer.alloc(12, 2).toString('base64'), ct: 'AAAA', tag: Buffer.alloc(16, 3).toString('base64'),
};
const text = (fields: Record<string, unknown>): string => JSON.stringify(fields);

function parseFailure(input: string | Uint8Array): EnvelopeError {
  try {
    parseEnvelope(input);
  } catch (error) {
    if (error instanceof EnvelopeError) {
      return error;
    }
    throw error;
  }
  throw new Error('parsed');
}

describe('parseEnvelope', () => {
  it('should parse every field when the envelope is valid', () => {
    const parsed = parseEnvelope(text(VALID));
    expect(parsed.context).toEqual({ namespace: 'trading', name: 'bybit-mm-key', version: 3 });
    expect([parsed.wrappedKey.length, parsed.iv.length, parsed.ct.length, parsed.tag.length]).toEqual([60, 12, 3, 16]);
  });

  it.each([
    { what: 'the text is not JSON', input: '{"v":1,', message: 'malformed envelope: not valid JSON' },
    { what: 'the bytes are not UTF-8', input: Buffer.from([0x7b, 0xff, 0x7d]), message: 'malformed envelope: not valid UTF-8' },
    { what: 'the JSON is a string', input: '"hello"', message: 'malformed envelope: not a JSON object' },
    { what: 'the JSON is null', input: 'null', message: 'malformed envelope: not a JSON object' },
    { what: 'v is missing', input: text({ ...VALID, v: undefined }), message: 'malformed envelope: field "v" (format version) must be an integer' },
    { what: 'v is a string', input: text({ ...VALID, v: '1' }), message: 'malformed envelope: field "v" (format version) must be an integer' },
    { what: 'a field is unknown', input: text({ ...VALID, extra: 1 }), message: 'malformed envelope: 1 unknown field(s); v1 has exactly: v, alg, provider, keyRef, ns, name, version, wrappedKey, iv, ct, tag' },
    { what: 'fields are missing', input: text({ ...VALID, ct: undefined, tag: undefined }), message: 'malformed envelope: missing field(s): ct, tag' },
    { what: 'alg is another cipher', input: text({ ...VALID, alg: 'ChaCha20' }), message: 'malformed envelope: field "alg" must be "A256GCM" in format version 1' },
    { what: 'provider has upper case', input: text({ ...VALID, provider: 'Local' }), message: 'malformed envelope: field "provider" must be a provider name (lowercase letters, digits, -)' },
    { what: 'keyRef has a space', input: text({ ...VALID, keyRef: 'local: x' }), message: 'malformed envelope: field "keyRef" must be 1-2048 printable ASCII characters' },
    { what: 'keyRef is empty', input: text({ ...VALID, keyRef: '' }), message: 'malformed envelope: field "keyRef" must be 1-2048 printable ASCII characters' },
    { what: 'ns is not a label', input: text({ ...VALID, ns: 'a.b' }), message: 'malformed envelope: context fields (ns, name, version): namespace must be an RFC 1123 label (1-63 chars of a-z, 0-9, -)' },
    { what: 'version is a string', input: text({ ...VALID, version: '3' }), message: 'malformed envelope: context fields (ns, name, version): version must be an integer in 1..4294967295' },
    { what: 'iv is URL-safe base64', input: text({ ...VALID, iv: '-_-_-_-_-_-_-_-_' }), message: 'malformed envelope: field "iv" must be standard padded base64' },
    { what: 'tag lacks padding', input: text({ ...VALID, tag: VALID.tag.replace(/=+$/, '') }), message: 'malformed envelope: field "tag" must be standard padded base64' },
    { what: 'ct has a newline', input: text({ ...VALID, ct: 'AA\nAA' }), message: 'malformed envelope: field "ct" must be standard padded base64' },
    { what: 'ct is a number', input: text({ ...VALID, ct: 0 }), message: 'malformed envelope: field "ct" must be standard padded base64' },
    { what: 'iv is 16 bytes', input: text({ ...VALID, iv: Buffer.alloc(16).toString('base64') }), message: 'malformed envelope: field "iv" decodes to 16 bytes, expected 12' },
    { what: 'wrappedKey is empty', input: text({ ...VALID, wrappedKey: '' }), message: 'malformed envelope: field "wrappedKey" decodes to 0 bytes, expected 1..4096' },
  ])('should fail as malformed with a clear message when $what', ({ input, message }) => {
    const error = parseFailure(input);
    expect([error.kind, error.message]).toEqual(['malformed', message]);
  });

  it.each([{ v: 0 }, { v: 2 }, { v: 99 }])('should fail with unsupported-version when v is $v', ({ v }) => {
    const error = parseFailure(text({ v, future: 'fields' }));
    expect(error.kind).toBe('unsupported-version');
    expect(error.message).toBe(`envelope format version ${v} is not supported by this reader (it reads version 1); upgrade the reader`);
  });
});

describe('fromBase64Strict', () => {
  it.each([
    { input: '', bytes: '' },
    { input: 'QQ==', bytes: '41' },
    { input: 'QUI=', bytes: '4142' },
    { input: 'QUJD', bytes: '414243' },
    { input: '+/+/', bytes: 'fbffbf' },
  ])('should decode $input when it is canonical', ({ input, bytes }) => {
    expect(fromBase64Strict(input)?.toString('hex')).toBe(bytes);
  });

  it.each(['QR==', 'QUJ=', 'QQ', 'QQ=', 'Q===', 'QQ==QQ==', '-_-_', 'QU JD', ' QUJD'])('should reject %j when it is not canonical', (input) => {
    expect(fromBase64Strict(input)).toBeUndefined();
  });
});
