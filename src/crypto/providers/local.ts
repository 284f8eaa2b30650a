// The `local` provider: data keys wrapped with AES-256-GCM under a master key from a ring held as
// plain data. Works on any cluster with no cloud account; whoever can read the ring can open every
// envelope sealed under it, so the ring deserves the tightest RBAC in the namespace.

import { localWrapAad } from '../aad.ts';
import { IV_BYTES, KEY_BYTES, TAG_BYTES, gcmOpen, gcmSeal } from '../aes-gcm.ts';
import { assertContext, describeContext, type EnvelopeContext } from '../context.ts';
import { EnvelopeError } from '../errors.ts';
import { MASTER_KEY_ID, assertMasterKeyRing, type MasterKeyRing } from '../master-key-ring.ts';
import { secureRandom, type RandomSource } from '../random.ts';
import type { GeneratedDataKey, KeyProvider } from './types.ts';

/** Provider name written in envelopes. */
export const LOCAL_PROVIDER = 'local';
/** keyRef prefix: `local:<masterKeyId>`. */
export const LOCAL_KEY_REF_PREFIX = `${LOCAL_PROVIDER}:`;
/** wrappedKey layout: IV (12) || encrypted data key (32) || tag (16). */
export const LOCAL_WRAPPED_KEY_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;

// Resolves with fn's result or rejects with what it throws, so sync work honours the async contract.
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(fn());
  });
}

function masterKeyIdOf(keyRef: string): string {
  const id = keyRef.startsWith(LOCAL_KEY_REF_PREFIX) ? keyRef.slice(LOCAL_KEY_REF_PREFIX.length) : '';
  if (!MASTER_KEY_ID.test(id)) {
    throw new EnvelopeError('malformed', `keyRef is not of the form "${LOCAL_KEY_REF_PREFIX}<masterKeyId>"`);
  }
  return id;
}

function wrap(ring: MasterKeyRing, dataKey: Buffer, context: EnvelopeContext, random: RandomSource): GeneratedDataKey {
  const id = ring.currentId;
  const masterKey = ring.keys.get(id);
  if (masterKey === undefined) {
    throw new EnvelopeError('unknown-key', `local master key ring has no current key "${id}"`);
  }
  const iv = random(IV_BYTES);
  const { ct, tag } = gcmSeal(masterKey, iv, dataKey, localWrapAad(context, id));
  return { dataKey, wrappedKey: Buffer.concat([iv, ct, tag]), keyRef: `${LOCAL_KEY_REF_PREFIX}${id}` };
}

function unwrap(ring: MasterKeyRing, wrappedKey: Buffer, keyRef: string, context: EnvelopeContext): Buffer {
  assertContext(context, 'context');
  const id = masterKeyIdOf(keyRef);
  const masterKey = ring.keys.get(id);
  if (masterKey === undefined) {
    const known = [...ring.keys.keys()].join(', ');
    throw new EnvelopeError(
      'unknown-key',
      `envelope for ${describeContext(context)} was wrapped with local master key "${id}", which is not in the ring ` +
        `(it holds: ${known}); an old master key was dropped before every envelope sealed under it was re-sealed`,
    );
  }
  if (wrappedKey.length !== LOCAL_WRAPPED_KEY_BYTES) {
    throw new EnvelopeError('malformed', `local wrapped key is ${wrappedKey.length} bytes, expected ${LOCAL_WRAPPED_KEY_BYTES}`);
  }
  const iv = wrappedKey.subarray(0, IV_BYTES);
  const ct = wrappedKey.subarray(IV_BYTES, IV_BYTES + KEY_BYTES);
  const tag = wrappedKey.subarray(IV_BYTES + KEY_BYTES);
  const dataKey = gcmOpen(masterKey, iv, { ct, tag }, localWrapAad(context, id));
  if (dataKey === undefined) {
    throw new EnvelopeError(
      'tampered',
      `wrapped data key for ${describeContext(context)} failed authentication under local master key "${id}": ` +
        'it was altered, sealed for another Secret or version, or the ring holds a different key under that id',
    );
  }
  return dataKey;
}

/**
 * The `local` provider over `ring` as it is now (later changes to the ring object are not seen:
 * build a new provider when the ring rotates). Key buffers are shared, not copied, to keep master
 * key copies few: do not zero them while the provider is in use.
 */
export function createLocalProvider(ring: MasterKeyRing): KeyProvider {
  return createLocalProviderWithRandom(ring, secureRandom);
}

/** Test seam only (deterministic vectors): the local provider drawing data keys and IVs from `random`. */
export function createLocalProviderWithRandom(ring: MasterKeyRing, random: RandomSource): KeyProvider {
  assertMasterKeyRing(ring);
  const snapshot: MasterKeyRing = { currentId: ring.currentId, keys: new Map(ring.keys) };
  return {
    name: LOCAL_PROVIDER,
    generateDataKey: (context) =>
      settle(() => {
        assertContext(context, 'context');
        const dataKey = random(KEY_BYTES);
        try {
          return wrap(snapshot, dataKey, context, random);
        } catch (error) {
          dataKey.fill(0);
          throw error;
        }
      }),
    unwrap: (wrappedKey, keyRef, context) => settle(() => unwrap(snapshot, wrappedKey, keyRef, context)),
  };
}
