import { describe, expect, it } from 'vitest';
import { generateMasterKey, newMasterKeyRing, rotateMasterKeyRing } from '../../../src/crypto/master-key-ring.ts';
import { LOCAL_WRAPPED_KEY_BYTES, createLocalProvider } from '../../../src/crypto/providers/local.ts';
import { providersByName } from '../../../src/crypto/providers/types.ts';
import { CONTEXT, PLAINTEXT, failure, localSetup, open, rotatedSetup, seal } from './support/fixtures.ts';

describe('local provider', () => {
  it('should return a 32-byte data key, a 60-byte wrapping and the current keyRef when generating', async () => {
    const { ring, provider } = localSetup();
    const generated = await provider.generateDataKey(CONTEXT);
    expect(generated.dataKey).toHaveLength(32);
    expect(generated.wrappedKey).toHaveLength(LOCAL_WRAPPED_KEY_BYTES);
    expect(generated.keyRef).toBe(`local:${ring.currentId}`);
    expect(await provider.unwrap(generated.wrappedKey, generated.keyRef, CONTEXT)).toEqual(generated.dataKey);
  });

  it.each([
    { what: 'namespace', context: { ...CONTEXT, namespace: 'research' } },
    { what: 'name', context: { ...CONTEXT, name: 'okx-key' } },
    { what: 'version', context: { ...CONTEXT, version: 4 } },
  ])('should fail as tampered when unwrapping for another $what', async ({ context }) => {
    const { provider } = localSetup();
    const { wrappedKey, keyRef } = await provider.generateDataKey(CONTEXT);
    expect((await failure(provider.unwrap(wrappedKey, keyRef, context))).kind).toBe('tampered');
  });

  it('should still open envelopes sealed under the old key when the ring rotates to a new current key', async () => {
    const { old, ring } = rotatedSetup();
    const before = await seal(createLocalProvider(old));
    const rotatedProvider = createLocalProvider(ring);
    const after = await seal(rotatedProvider);
    const lookup = providersByName([rotatedProvider]);
    expect(JSON.parse(after).keyRef).toBe(`local:${ring.currentId}`);
    expect(JSON.parse(before).keyRef).toBe(`local:${old.currentId}`);
    expect(await open(before, lookup)).toEqual(PLAINTEXT);
    expect(await open(after, lookup)).toEqual(PLAINTEXT);
  });

  it('should fail with unknown-key naming the missing id when the old key was dropped from the ring', async () => {
    const old = newMasterKeyRing();
    const envelope = await seal(createLocalProvider(old));
    const fresh = newMasterKeyRing();
    const error = await failure(open(envelope, providersByName([createLocalProvider(fresh)])));
    expect(error.kind).toBe('unknown-key');
    expect(error.message).toContain(`local master key "${old.currentId}", which is not in the ring (it holds: ${fresh.currentId})`);
  });

  it('should fail as tampered when the ring holds other key bytes under the same id', async () => {
    const { ring, provider } = localSetup();
    const envelope = await seal(provider);
    const impostor = { currentId: ring.currentId, keys: new Map([[ring.currentId, generateMasterKey().key]]) };
    expect((await failure(open(envelope, providersByName([createLocalProvider(impostor)])))).kind).toBe('tampered');
  });

  it.each([
    { what: 'the keyRef has another provider prefix', keyRef: 'aws-kms:abc', size: 60, kind: 'malformed' },
    { what: 'the keyRef has an empty id', keyRef: 'local:', size: 60, kind: 'malformed' },
    { what: 'the wrapped key is too short', keyRef: undefined, size: 59, kind: 'malformed' },
    { what: 'the wrapped key is too long', keyRef: undefined, size: 61, kind: 'malformed' },
  ])('should fail with $kind when $what', async ({ keyRef, size, kind }) => {
    const { ring, provider } = localSetup();
    const error = await failure(provider.unwrap(Buffer.alloc(size), keyRef ?? `local:${ring.currentId}`, CONTEXT));
    expect(error.kind).toBe(kind);
  });

  it('should not see later changes to the ring object when built from it', async () => {
    const ring = newMasterKeyRing();
    const provider = createLocalProvider(ring);
    const rotated = rotateMasterKeyRing(ring);
    (ring.keys as Map<string, Buffer>).clear();
    const { keyRef } = await provider.generateDataKey(CONTEXT);
    expect(keyRef).toBe(`local:${ring.currentId}`);
    expect(rotated.keys.size).toBe(2);
  });

  it('should refuse to build when the current key is missing from the ring', () => {
    const ring = newMasterKeyRing();
    expect(() => createLocalProvider({ currentId: 'feedface', keys: ring.keys })).toThrow(/current key id "feedface" is not in the ring/);
  });
});
