import { describe, expect, it } from 'vitest';
import type { EnvelopeContext } from '../../../src/crypto/context.ts';
import { inspectEnvelope } from '../../../src/crypto/envelope-codec.ts';
import { openEnvelope, sealEnvelope } from '../../../src/crypto/envelope.ts';
import { EnvelopeError } from '../../../src/crypto/errors.ts';
import { newMasterKeyRing } from '../../../src/crypto/master-key-ring.ts';
import { createLocalProvider } from '../../../src/crypto/providers/local.ts';
import { providersByName, type KeyProvider } from '../../../src/crypto/providers/types.ts';
import { CONTEXT, PLAINTEXT, editEnvelope, failure, flipBit, localSetup, open, seal } from './support/fixtures.ts';

describe('sealEnvelope / openEnvelope', () => {
  it.each([
    { what: 'credentials JSON', plaintext: PLAINTEXT },
    { what: 'an empty plaintext', plaintext: Buffer.alloc(0) },
    { what: 'binary bytes', plaintext: Buffer.from([0, 255, 1, 254, 0, 0]) },
    { what: 'a 100 KiB plaintext', plaintext: Buffer.alloc(100 * 1024, 7) },
  ])('should round-trip when sealing $what', async ({ plaintext }) => {
    const { provider, lookup } = localSetup();
    const envelope = await seal(provider, CONTEXT, plaintext);
    expect(await open(envelope, lookup)).toEqual(plaintext);
  });

  it('should open a Uint8Array envelope when read from a mounted file', async () => {
    const { provider, lookup } = localSetup();
    const envelope = await seal(provider);
    expect(await openEnvelope(Buffer.from(`${envelope}\n`), CONTEXT, lookup)).toEqual(PLAINTEXT);
  });

  it('should use a fresh data key and IV when sealing the same plaintext twice', async () => {
    const { provider } = localSetup();
    const [a, b] = [JSON.parse(await seal(provider)), JSON.parse(await seal(provider))];
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it('should write the documented fields in order when serializing', async () => {
    const { provider, ring } = localSetup();
    const fields = JSON.parse(await seal(provider));
    expect(Object.keys(fields)).toEqual(['v', 'alg', 'provider', 'keyRef', 'ns', 'name', 'version', 'wrappedKey', 'iv', 'ct', 'tag']);
    expect(fields).toMatchObject({ v: 1, alg: 'A256GCM', provider: 'local', keyRef: `local:${ring.currentId}`, ns: 'trading', name: 'bybit-mm-key', version: 3 });
  });

  it('should report the claimed header without opening when inspected', async () => {
    const { provider, ring } = localSetup();
    expect(inspectEnvelope(await seal(provider))).toEqual({ v: 1, provider: 'local', keyRef: `local:${ring.currentId}`, context: CONTEXT });
  });
});

describe('openEnvelope on an altered envelope', () => {
  it.each([
    { field: 'ct', edit: (e: string) => flipBit(e, 'ct', 0), kind: 'tampered' },
    { field: 'ct (last byte)', edit: (e: string) => flipBit(e, 'ct', -1), kind: 'tampered' },
    { field: 'tag', edit: (e: string) => flipBit(e, 'tag', 15), kind: 'tampered' },
    { field: 'iv', edit: (e: string) => flipBit(e, 'iv', 0), kind: 'tampered' },
    { field: 'wrappedKey (wrapping IV)', edit: (e: string) => flipBit(e, 'wrappedKey', 0), kind: 'tampered' },
    { field: 'wrappedKey (encrypted key)', edit: (e: string) => flipBit(e, 'wrappedKey', 12), kind: 'tampered' },
    { field: 'wrappedKey (wrapping tag)', edit: (e: string) => flipBit(e, 'wrappedKey', -1), kind: 'tampered' },
    { field: 'keyRef (unknown id)', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, keyRef: 'local:deadbeef' })), kind: 'unknown-key' },
    { field: 'keyRef (bad syntax)', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, keyRef: 'deadbeef' })), kind: 'malformed' },
    { field: 'provider', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, provider: 'vault-transit' })), kind: 'unknown-key' },
    { field: 'ns', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, ns: 'research' })), kind: 'context-mismatch' },
    { field: 'name', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, name: 'okx-key' })), kind: 'context-mismatch' },
    { field: 'version', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, version: 2 })), kind: 'context-mismatch' },
    { field: 'v', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, v: 2 })), kind: 'unsupported-version' },
    { field: 'alg', edit: (e: string) => editEnvelope(e, (f) => ({ ...f, alg: 'A128GCM' })), kind: 'malformed' },
  ])('should fail with $kind when $field is altered', async ({ edit, kind }) => {
    const { provider, lookup } = localSetup();
    const error = await failure(open(edit(await seal(provider)), lookup));
    expect(error.kind).toBe(kind);
  });

  it('should fail as tampered when keyRef names another master key of the same ring', async () => {
    const first = newMasterKeyRing();
    const { provider } = localSetup(first);
    const envelope = await seal(provider);
    const other = newMasterKeyRing();
    const keys = new Map([...first.keys, ...other.keys]);
    const lookup = providersByName([createLocalProvider({ currentId: first.currentId, keys })]);
    const moved = editEnvelope(envelope, (f) => ({ ...f, keyRef: `local:${other.currentId}` }));
    expect((await failure(open(moved, lookup))).kind).toBe('tampered');
  });
});

describe('openEnvelope on an envelope moved to another object', () => {
  const moves: { to: string; context: EnvelopeContext }[] = [
    { to: 'another namespace', context: { ...CONTEXT, namespace: 'research' } },
    { to: 'another name', context: { ...CONTEXT, name: 'okx-mm-key' } },
    { to: 'another version', context: { ...CONTEXT, version: 4 } },
  ];

  it.each(moves)('should fail with context-mismatch when copied as is to $to', async ({ context }) => {
    const { provider, lookup } = localSetup();
    const error = await failure(open(await seal(provider), lookup, context));
    expect(error.kind).toBe('context-mismatch');
    expect(error.message).toContain('envelope belongs to trading/bybit-mm-key v3, expected');
  });

  it.each(moves)('should fail as tampered when moved to $to with its clear fields rewritten', async ({ context }) => {
    const { provider, lookup } = localSetup();
    const rewritten = editEnvelope(await seal(provider), (f) => ({ ...f, ns: context.namespace, name: context.name, version: context.version }));
    expect((await failure(open(rewritten, lookup, context))).kind).toBe('tampered');
  });

  // A provider that does not bind the context (as a careless remote one might): the data AAD alone must catch the move.
  it.each(moves)('should fail as tampered when moved to $to even if the provider ignores the context', async ({ context }) => {
    const local = createLocalProvider(newMasterKeyRing());
    const careless: KeyProvider = {
      name: 'careless',
      generateDataKey: () => local.generateDataKey(CONTEXT),
      unwrap: (wrappedKey, keyRef) => local.unwrap(wrappedKey, keyRef, CONTEXT),
    };
    const lookup = providersByName([careless]);
    const sealed = await seal(careless);
    expect(await open(sealed, lookup)).toEqual(PLAINTEXT);
    const rewritten = editEnvelope(sealed, (f) => ({ ...f, ns: context.namespace, name: context.name, version: context.version }));
    expect((await failure(open(rewritten, lookup, context))).kind).toBe('tampered');
  });
});

describe('sealEnvelope / openEnvelope with provider trouble', () => {
  function stub(overrides: Partial<KeyProvider>): KeyProvider {
    const local = createLocalProvider(newMasterKeyRing());
    return { name: 'stub', generateDataKey: (c) => local.generateDataKey(c), unwrap: (w, r, c) => local.unwrap(w, r, c), ...overrides };
  }

  it('should report provider-unavailable and retryable when the provider throws a plain error', async () => {
    const provider = stub({ generateDataKey: () => Promise.reject(new Error('ECONNRESET')) });
    const error = await failure(seal(provider));
    expect([error.kind, error.retryable]).toEqual(['provider-unavailable', true]);
    expect(error.message).toBe('key provider "stub" failed to generate a data key');
  });

  it('should pass an EnvelopeError through unchanged when the provider classifies its failure', async () => {
    const own = new EnvelopeError('provider-unavailable', 'KMS throttled', { retryable: true });
    const provider = stub({ unwrap: () => Promise.reject(own) });
    const envelope = await seal(provider);
    expect(await failure(open(envelope, providersByName([provider])))).toBe(own);
  });

  it('should refuse and zero the key when the provider returns a data key of the wrong size', async () => {
    const short = Buffer.alloc(16, 9);
    const provider = stub({ generateDataKey: () => Promise.resolve({ dataKey: short, wrappedKey: Buffer.alloc(8), keyRef: 'x' }) });
    const error = await failure(seal(provider));
    expect([error.kind, error.retryable]).toEqual(['provider-unavailable', false]);
    expect(short.every((b) => b === 0)).toBe(true);
  });

  it('should zero every plaintext data key when sealing and opening', async () => {
    const issued: Buffer[] = [];
    const base = stub({});
    const provider = stub({
      generateDataKey: async (c) => {
        const generated = await base.generateDataKey(c);
        issued.push(generated.dataKey);
        return generated;
      },
      unwrap: async (w, r, c) => {
        const key = await base.unwrap(w, r, c);
        issued.push(key);
        return key;
      },
    });
    await open(await seal(provider), providersByName([provider]));
    expect(issued).toHaveLength(2);
    expect(issued.every((key) => key.length === 32 && key.every((b) => b === 0))).toBe(true);
  });

  it('should zero the data key when decryption fails', async () => {
    const issued: Buffer[] = [];
    const base = stub({});
    const provider = stub({
      generateDataKey: (c) => base.generateDataKey(c),
      unwrap: async (w, r, c) => {
        const key = await base.unwrap(w, r, c);
        issued.push(key);
        return key;
      },
    });
    await failure(open(flipBit(await seal(provider), 'ct'), providersByName([provider])));
    expect(issued[0]!.every((b) => b === 0)).toBe(true);
  });
});

describe('sealEnvelope / openEnvelope with invalid input', () => {
  it.each([
    { what: 'the namespace is empty', context: { ...CONTEXT, namespace: '' } },
    { what: 'the namespace has upper case', context: { ...CONTEXT, namespace: 'Trading' } },
    { what: 'the namespace is 64 chars', context: { ...CONTEXT, namespace: 'a'.repeat(64) } },
    { what: 'the name has a slash', context: { ...CONTEXT, name: 'a/b' } },
    { what: 'the name is 254 chars', context: { ...CONTEXT, name: 'a'.repeat(254) } },
    { what: 'the version is 0', context: { ...CONTEXT, version: 0 } },
    { what: 'the version is fractional', context: { ...CONTEXT, version: 1.5 } },
    { what: 'the version exceeds 2^32-1', context: { ...CONTEXT, version: 2 ** 32 } },
  ])('should refuse to seal as malformed when $what', async ({ context }) => {
    const { provider } = localSetup();
    const error = await failure(sealEnvelope(PLAINTEXT, context, provider));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/^seal context is invalid: /);
  });

  it('should refuse to open as malformed when the expected context is invalid', async () => {
    const { provider, lookup } = localSetup();
    const error = await failure(open(await seal(provider), lookup, { ...CONTEXT, version: -1 }));
    expect(error.message).toMatch(/^expected context is invalid: version/);
  });

  it('should accept the longest valid names and version when sealing', async () => {
    const { provider, lookup } = localSetup();
    const context = { namespace: 'n'.repeat(63), name: `${'a'.repeat(120)}.${'b'.repeat(132)}`, version: 2 ** 32 - 1 };
    expect(await open(await seal(provider, context), lookup, context)).toEqual(PLAINTEXT);
  });
});
