// A served key following the mounted Secret as the kubelet updates it: swaps on rotation, keeps
// serving the old version when the new one cannot be opened, ignores rollbacks, retries.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localKeyRingUnwrapper, openExchangeKey, type ExchangeKeyHandle, type KeyUnwrapper } from '../../../src/client/index.ts';
import type { Clock } from '../../../src/runtime/clock.ts';
import type { MasterKeyRing } from '../../../src/crypto/index.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { createSecretVolume, type SecretVolume } from '../../support/secret-volume.ts';
import { NAME, NS, Recorder, material, overlap, plain, ring, sealed, tamper, tempDir } from './support/fixtures.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let keys: MasterKeyRing;
let volume: SecretVolume;
let recorder: Recorder;
let handle: ExchangeKeyHandle | undefined;

beforeEach(async () => {
  dir = await tempDir();
  keys = ring();
  recorder = new Recorder();
});

afterEach(async () => {
  await handle?.close();
  handle = undefined;
  await dir.cleanup();
});

async function serve(initial: Record<string, string>, options: { clock?: Clock; unwrappers?: KeyUnwrapper[] } = {}): Promise<ExchangeKeyHandle> {
  volume = await createSecretVolume(join(dir.path, 'mount'), initial);
  handle = await openExchangeKey({
    dir: volume.dir,
    namespace: NS,
    secretName: NAME,
    unwrappers: options.unwrappers ?? [localKeyRingUnwrapper({ ring: keys })],
    ...(options.clock ? { clock: options.clock } : {}),
    ...recorder.callbacks,
  });
  return handle;
}

// An unwrapper over `keys` that fails while `down.value` is true, as a remote key service would.
function flaky(ring: MasterKeyRing, down: { value: boolean }): KeyUnwrapper {
  const local = localKeyRingUnwrapper({ ring });
  return {
    name: 'local',
    unwrap: (wrappedKey, keyRef, context) => (down.value ? Promise.reject(new Error('ECONNREFUSED')) : local.unwrap(wrappedKey, keyRef, context)),
  };
}

describe('a rotation of the mounted Secret', () => {
  it('should swap to the new version without reopening, and serve the old one as previous() during the overlap', async () => {
    const v1 = await sealed(material(1), keys);
    const h = await serve(v1);
    const before = h.get();
    await volume.update(overlap(await sealed(material(2), keys), v1));
    await recorder.changeCount(1);
    expect(h.get()).toEqual({ version: 2, apiKey: 'XKTESTKEY0002', apiSecret: 'test-only-secret-v2-0f3c9a7d41e2' });
    // The outgoing version is the very object served before: not decrypted again.
    expect(h.previous()).toBe(before);
    expect(recorder.rotations).toEqual([{ version: 2, fromVersion: 1 }]);
    expect(recorder.changes).toEqual([{ version: 2, previousVersion: 1 }]);
    expect(recorder.errors).toEqual([]);
  });

  it('should drop previous() when the old key is revoked and previous.* disappears', async () => {
    const v1 = await sealed(material(1), keys);
    const v2 = await sealed(material(2), keys);
    const h = await serve(overlap(v2, v1));
    const current = h.get();
    await volume.update(v2);
    await recorder.changeCount(1);
    expect(h.previous()).toBeUndefined();
    expect(h.get()).toBe(current);
    expect(recorder.rotations).toEqual([]);
    expect(recorder.changes).toEqual([{ version: 2, previousVersion: undefined }]);
  });

  it('should follow several rotations in a row', async () => {
    const h = await serve(await plain(material(1)));
    for (const version of [2, 3, 4]) {
      await volume.update(overlap(await plain(material(version)), await plain(material(version - 1))));
      await recorder.changeCount(version - 1);
    }
    expect(h.get().version).toBe(4);
    expect(h.previous()?.version).toBe(3);
    expect(recorder.rotations.map((r) => r.version)).toEqual([2, 3, 4]);
  });
});

describe('a new version that cannot be opened', () => {
  it.each([
    { what: 'tampered', kind: 'tampered', bad: async () => tamper(await sealed(material(2), keys)) },
    { what: 'sealed under an unknown master key', kind: 'unknown-key', bad: () => sealed(material(2), ring()) },
    { what: 'moved from another Secret', kind: 'context-mismatch', bad: () => sealed(material(2), keys, { name: 'other-key' }) },
  ])('should keep serving the old version and report $kind when the new one is $what', async ({ kind, bad }) => {
    const h = await serve(await sealed(material(1), keys));
    const served = h.get();
    await volume.update(await bad());
    await recorder.errorCount(1);
    expect(h.get()).toBe(served);
    expect(recorder.errors[0]?.error.kind).toBe(kind);
    expect(recorder.errors[0]?.event).toEqual({ version: 2, previous: false, servingVersion: 1 });
    expect(recorder.rotations).toEqual([]);

    // Fixed at the source: the next update is taken at once.
    await volume.update(await sealed(material(2), keys));
    await recorder.changeCount(1);
    expect(h.get().version).toBe(2);
  });

  it('should retry with backoff while the key provider is down, then swap', async () => {
    const clock = new FakeClock();
    const down = { value: false };
    const h = await serve(await sealed(material(1), keys), { clock, unwrappers: [flaky(keys, down)] });
    down.value = true;
    await volume.update(await sealed(material(2), keys));
    await recorder.errorCount(1);
    expect(recorder.errors[0]?.error).toMatchObject({ kind: 'provider-unavailable', retryable: true });
    expect(h.get().version).toBe(1);

    await clock.advance(1_000);
    await recorder.errorCount(2);
    expect(h.get().version).toBe(1);
    down.value = false;
    await clock.advance(2_000);
    await recorder.changeCount(1);
    expect(h.get().version).toBe(2);
    expect(recorder.errors).toHaveLength(2);
  });
});

describe('an older version on the volume', () => {
  it('should ignore it, keep the newer one and report it once', async () => {
    const clock = new FakeClock();
    const h = await serve(await sealed(material(2), keys), { clock });
    const served = h.get();
    await volume.update(await sealed(material(1), keys));
    await recorder.errorCount(1);
    expect(recorder.errors[0]?.error.kind).toBe('rollback');
    expect(recorder.errors[0]?.event).toEqual({ version: 1, previous: false, servingVersion: 2 });
    // Polls and retries do not report it again, nor take it.
    await clock.advance(120_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorder.errors).toHaveLength(1);
    expect(h.get()).toBe(served);

    await volume.update(await sealed(material(3), keys));
    await recorder.changeCount(1);
    expect(h.get().version).toBe(3);
  });
});

describe('callbacks', () => {
  it('should keep following the volume when a callback throws', async () => {
    volume = await createSecretVolume(join(dir.path, 'mount'), await plain(material(1)));
    let changes = 0;
    handle = await openExchangeKey({
      dir: volume.dir, namespace: NS, secretName: NAME, unwrappers: [],
      onRotate: () => { throw new Error('caller bug'); },
      onChange: () => { changes++; throw new Error('caller bug'); },
    });
    await volume.update(await plain(material(2)));
    await recorder.changeCount(0);
    await expect.poll(() => changes).toBe(1);
    await volume.update(await plain(material(3)));
    await expect.poll(() => changes).toBe(2);
    expect(handle.get().version).toBe(3);
  });
});
