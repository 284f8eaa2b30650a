// openExchangeKey on a freshly mounted Secret: what it serves, and how it refuses what it cannot serve.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EnvelopeError, KeyVolumeError, localKeyRingUnwrapper, openExchangeKey, type ExchangeKeyHandle, type KeyUnwrapper,
} from '../../../src/client/index.ts';
import type { MasterKeyRing } from '../../../src/crypto/index.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { createSecretVolume, secretData } from '../../support/secret-volume.ts';
import { NAME, NS, Recorder, material, overlap, plain, ring, sealed, tamper, tempDir, withEntry } from './support/fixtures.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let keys: MasterKeyRing;
const handles: ExchangeKeyHandle[] = [];

beforeEach(async () => {
  dir = await tempDir();
  keys = ring();
});

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
  await dir.cleanup();
});

async function open(data: Record<string, string> | undefined, extra: { unwrappers?: KeyUnwrapper[]; namespace?: string; secretName?: string; requireEnvelope?: boolean } = {}): Promise<ExchangeKeyHandle> {
  const mount = join(dir.path, 'mount');
  if (data) await createSecretVolume(mount, data);
  const handle = await openExchangeKey({
    dir: mount,
    namespace: extra.namespace ?? NS,
    secretName: extra.secretName ?? NAME,
    unwrappers: extra.unwrappers ?? [localKeyRingUnwrapper({ ring: keys })],
    requireEnvelope: extra.requireEnvelope ?? false,
    onError: () => undefined,
  });
  handles.push(handle);
  return handle;
}

async function failure(promise: Promise<unknown>): Promise<EnvelopeError | KeyVolumeError> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  if (!(outcome instanceof EnvelopeError || outcome instanceof KeyVolumeError)) throw new Error(`expected an exkey error, got ${String(outcome)}`);
  return outcome;
}

describe('openExchangeKey', () => {
  it.each([
    { what: 'a local envelope', data: () => sealed(material(3), keys), expected: { version: 3, apiKey: 'XKTESTKEY0003', apiSecret: 'test-only-secret-v3-0f3c9a7d41e2' } },
    { what: 'plain files (encryption none)', data: () => plain(material(1)), expected: { version: 1, apiKey: 'XKTESTKEY0001', apiSecret: 'test-only-secret-v1-0f3c9a7d41e2' } },
    {
      what: 'an envelope with a passphrase and a private key',
      data: () => sealed(material(2, { apiSecret: undefined, passphrase: 'pp', privateKey: '-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n' }), keys),
      expected: { version: 2, apiKey: 'XKTESTKEY0002', passphrase: 'pp', privateKey: '-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n' },
    },
  ])('should serve the key when the volume holds $what', async ({ data, expected }) => {
    const handle = await open(await data());
    expect(handle.get()).toEqual(expected);
    expect(handle.previous()).toBeUndefined();
  });

  it('should serve plain files from a directory without the kubelet layout', async () => {
    const mount = join(dir.path, 'mount');
    await mkdir(mount);
    await writeFile(join(mount, 'version'), '4\n');
    await writeFile(join(mount, 'apiKey'), 'XKPLAIN');
    await writeFile(join(mount, 'apiSecret'), 'plain-secret');
    const handle = await open(undefined, { unwrappers: [] });
    expect(handle.get()).toEqual({ version: 4, apiKey: 'XKPLAIN', apiSecret: 'plain-secret' });
  });

  it.each([
    { what: 'sealed envelopes', build: async () => overlap(await sealed(material(2), keys), await sealed(material(1), keys)) },
    { what: 'plain files', build: async () => overlap(await plain(material(2)), await plain(material(1))) },
  ])('should serve the outgoing version from previous.* when the Secret is in an overlap with $what', async ({ build }) => {
    const handle = await open(await build());
    expect(handle.get().version).toBe(2);
    expect(handle.previous()).toEqual({ version: 1, apiKey: 'XKTESTKEY0001', apiSecret: 'test-only-secret-v1-0f3c9a7d41e2' });
  });

  it('should return the same frozen object on every get() when nothing changed', async () => {
    const handle = await open(await sealed(material(3), keys));
    const first = handle.get();
    expect(Object.isFrozen(first)).toBe(true);
    expect(handle.get()).toBe(first);
  });

  it('should leave no timer armed when closed', async () => {
    const clock = new FakeClock();
    const mount = join(dir.path, 'mount');
    await createSecretVolume(mount, await sealed(material(3), keys));
    const handle = await openExchangeKey({ dir: mount, namespace: NS, secretName: NAME, unwrappers: [localKeyRingUnwrapper({ ring: keys })], clock });
    expect(clock.pendingTimers()).toBe(1);
    await handle.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('should throw from get() when the handle is closed', async () => {
    const handle = await open(await sealed(material(3), keys));
    await handle.close();
    expect(() => handle.get()).toThrow(/closed/);
  });

  it('should still serve the current version and report when previous.* fails to open', async () => {
    const recorder = new Recorder();
    const mount = join(dir.path, 'mount');
    await createSecretVolume(mount, overlap(await sealed(material(2), keys), tamper(await sealed(material(1), keys))));
    const handle = await openExchangeKey({ dir: mount, namespace: NS, secretName: NAME, unwrappers: [localKeyRingUnwrapper({ ring: keys })], ...recorder.callbacks });
    handles.push(handle);
    expect(handle.get().version).toBe(2);
    expect(handle.previous()).toBeUndefined();
    expect(recorder.errors.map((e) => [e.error.kind, e.event])).toEqual([['tampered', { version: 1, previous: true, servingVersion: 2 }]]);
  });
});

describe('openExchangeKey refusing a volume', () => {
  it.each([
    { what: 'the envelope is bound to another namespace', data: () => sealed(material(3), keys, { namespace: 'other' }), kind: 'context-mismatch' },
    { what: 'the envelope is bound to another Secret', data: () => sealed(material(3), keys, { name: 'other' }), kind: 'context-mismatch' },
    { what: 'the version file was changed', data: async () => withEntry(await sealed(material(3), keys), 'version', '4'), kind: 'context-mismatch' },
    { what: 'the ciphertext was altered', data: async () => tamper(await sealed(material(3), keys)), kind: 'tampered' },
    { what: 'the master key is not in the ring', data: () => sealed(material(3), ring()), kind: 'unknown-key' },
    { what: 'no unwrapper is configured', data: () => sealed(material(3), keys), kind: 'unknown-key', unwrappers: [] },
    { what: 'the version file is not a number', data: async () => withEntry(await plain(material(3)), 'version', 'three'), kind: 'invalid' },
    { what: 'the version file is missing', data: () => Promise.resolve(secretData({ apiKey: 'XK' })), kind: 'missing' },
    { what: 'the plain files have no apiKey', data: () => Promise.resolve(secretData({ version: '1', apiSecret: 's' })), kind: 'invalid' },
    { what: 'plain files come while envelopes are required', data: () => plain(material(3)), kind: 'invalid', requireEnvelope: true },
    { what: 'the sealed material is for another version', data: () => sealed(material(2), keys, { version: 3 }), kind: 'invalid' },
  ])('should reject with $kind when $what', async ({ data, kind, unwrappers, requireEnvelope }) => {
    const error = await failure(open(await data(), { ...(unwrappers ? { unwrappers } : {}), ...(requireEnvelope ? { requireEnvelope } : {}) }));
    expect(error.kind).toBe(kind);
  });

  it('should reject with provider-unavailable, retryable, when the unwrapper fails', async () => {
    const down: KeyUnwrapper = { name: 'local', unwrap: () => Promise.reject(new Error('connection refused')) };
    const error = await failure(open(await sealed(material(3), keys), { unwrappers: [down] }));
    expect(error).toMatchObject({ kind: 'provider-unavailable', retryable: true });
  });

  it('should reject with missing when nothing is mounted', async () => {
    const error = await failure(open(undefined));
    expect(error).toMatchObject({ kind: 'missing', retryable: true });
    expect(error.message).toContain('version');
  });

  it('should throw a TypeError when the namespace is not a valid name', async () => {
    await expect(open(await sealed(material(3), keys), { namespace: 'Not_A_Namespace' })).rejects.toThrow(TypeError);
  });
});
