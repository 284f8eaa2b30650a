import { describe, expect, it } from 'vitest';
import {
  MASTER_KEY_ID,
  generateMasterKey,
  newMasterKeyRing,
  parseMasterKeyRing,
  rotateMasterKeyRing,
  serializeMasterKeyRing,
} from '../../../src/crypto/master-key-ring.ts';
import { EnvelopeError } from '../../../src/crypto/errors.ts';

const key = (fill: number, size = 32): Buffer => Buffer.alloc(size, fill);

describe('master key ring', () => {
  it('should produce an 8-hex-digit id and a 32-byte key when generating', () => {
    const { id, key: bytes } = generateMasterKey();
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(MASTER_KEY_ID.test(id)).toBe(true);
    expect(bytes).toHaveLength(32);
    expect(generateMasterKey().key.equals(bytes)).toBe(false);
  });

  it('should round-trip through Secret-style data when serialized and parsed', () => {
    const ring = rotateMasterKeyRing(newMasterKeyRing());
    const { data, currentId } = serializeMasterKeyRing(ring);
    expect(Object.keys(data).every((entry) => /^key-[0-9a-f]{8}$/.test(entry))).toBe(true);
    const parsed = parseMasterKeyRing(data, currentId);
    expect(parsed.currentId).toBe(ring.currentId);
    expect([...parsed.keys.entries()]).toEqual([...ring.keys.entries()]);
  });

  it('should ignore entries without the key- prefix when parsing', () => {
    const ring = parseMasterKeyRing({ 'key-a1': key(1), current: Buffer.from('a1'), 'README': Buffer.from('x') }, 'a1');
    expect([...ring.keys.keys()]).toEqual(['a1']);
  });

  it('should copy the key bytes when parsing so the caller may zero its buffers', () => {
    const bytes = key(1);
    const ring = parseMasterKeyRing({ 'key-a1': bytes }, 'a1');
    bytes.fill(0);
    expect(ring.keys.get('a1')).toEqual(key(1));
  });

  it.each<{ what: string; data: Record<string, Buffer>; current: string; kind: string; message: RegExp }>([
    { what: 'no key- entry exists', data: { other: key(1) }, current: 'a1', kind: 'malformed', message: /no "key-<id>" entries/ },
    { what: 'an id has upper case', data: { 'key-A1': key(1) }, current: 'A1', kind: 'malformed', message: /entry "key-A1" does not name a valid master key id/ },
    { what: 'an id is empty', data: { 'key-': key(1) }, current: '', kind: 'malformed', message: /entry "key-"/ },
    { what: 'a key is 31 bytes', data: { 'key-a1': key(1, 31) }, current: 'a1', kind: 'malformed', message: /master key a1 is 31 bytes, expected 32/ },
    { what: 'the current id is absent', data: { 'key-a1': key(1) }, current: 'b2', kind: 'unknown-key', message: /current key id "b2" is not in the ring/ },
  ])('should fail with $kind when $what', ({ data, current, kind, message }) => {
    const run = (): unknown => parseMasterKeyRing(data, current);
    expect(run).toThrow(EnvelopeError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect((error as EnvelopeError).kind).toBe(kind);
    }
  });

  it('should make the new key current and keep the old one when rotating', () => {
    const first = newMasterKeyRing();
    const next = generateMasterKey();
    const rotated = rotateMasterKeyRing(first, next);
    expect(rotated.currentId).toBe(next.id);
    expect([...rotated.keys.keys()].sort()).toEqual([first.currentId, next.id].sort());
    expect(first.keys.size).toBe(1);
  });

  it('should refuse when rotating to an id already in the ring', () => {
    const first = newMasterKeyRing({ id: 'a1', key: key(1) });
    expect(() => rotateMasterKeyRing(first, { id: 'a1', key: key(2) })).toThrow(/already in the ring/);
  });
});
