// The local provider's master keys as plain data: one current key that wraps new data keys and
// older keys kept so envelopes sealed before a rotation still open. Where the ring is stored (a
// Kubernetes Secret with one `key-<id>` entry per key) is the caller's business.

import { KEY_BYTES } from './aes-gcm.ts';
import { EnvelopeError } from './errors.ts';
import { secureRandom } from './random.ts';

/** One 256-bit master key and its id (short lowercase hex when generated). */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Master keys by id; `currentId` wraps new data keys, every key can unwrap. */
export interface MasterKeyRing {
  readonly currentId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** Master key ids: 1-32 chars of a-z, 0-9 and inner '-', so `key-<id>` is a valid Secret data key. */
export const MASTER_KEY_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Prefix of the Secret data entries that hold master keys; other entries are ignored. */
export const MASTER_KEY_ENTRY_PREFIX = 'key-';

function ringError(message: string): EnvelopeError {
  return new EnvelopeError('malformed', `master key ring: ${message}`);
}

/** Secret data entry name for a master key id. */
export function masterKeyEntryName(id: string): string {
  return `${MASTER_KEY_ENTRY_PREFIX}${id}`;
}

/** A fresh random master key with an 8-hex-digit id. */
export function generateMasterKey(): MasterKey {
  return { id: secureRandom(4).toString('hex'), key: secureRandom(KEY_BYTES) };
}

/** Throws EnvelopeError unless ids are well formed, keys are 32 bytes and the current id is present. */
export function assertMasterKeyRing(ring: MasterKeyRing): void {
  for (const [id, key] of ring.keys) {
    if (!MASTER_KEY_ID.test(id)) {
      // The invalid id itself is not echoed: a value that is not an id could be anything.
      throw ringError('a master key id is not 1-32 chars of a-z, 0-9, -');
    }
    if (key.length !== KEY_BYTES) {
      throw ringError(`master key ${id} is ${key.length} bytes, expected ${KEY_BYTES}`);
    }
  }
  if (!ring.keys.has(ring.currentId)) {
    throw new EnvelopeError('unknown-key', `master key ring: current key id "${ring.currentId}" is not in the ring`);
  }
}

/** A ring holding only `first` (a new random key by default), which becomes current. */
export function newMasterKeyRing(first: MasterKey = generateMasterKey()): MasterKeyRing {
  const ring = { currentId: first.id, keys: new Map([[first.id, Buffer.from(first.key)]]) };
  assertMasterKeyRing(ring);
  return ring;
}

/** A new ring where `next` is current and every older key is kept for unwrapping; refuses a reused id. */
export function rotateMasterKeyRing(ring: MasterKeyRing, next: MasterKey = generateMasterKey()): MasterKeyRing {
  if (ring.keys.has(next.id)) {
    throw ringError(`master key id ${next.id} is already in the ring; generate another`);
  }
  const keys = new Map(ring.keys);
  keys.set(next.id, Buffer.from(next.key));
  const rotated = { currentId: next.id, keys };
  assertMasterKeyRing(rotated);
  return rotated;
}

/** Reads a ring from Secret-style data (`key-<id>` entries of 32 raw bytes; other entries ignored). */
export function parseMasterKeyRing(data: Readonly<Record<string, Uint8Array>>, currentId: string): MasterKeyRing {
  const keys = new Map<string, Buffer>();
  for (const [entry, value] of Object.entries(data)) {
    if (!entry.startsWith(MASTER_KEY_ENTRY_PREFIX)) {
      continue;
    }
    const id = entry.slice(MASTER_KEY_ENTRY_PREFIX.length);
    if (!MASTER_KEY_ID.test(id)) {
      throw ringError(`entry "${entry}" does not name a valid master key id (1-32 chars of a-z, 0-9, -)`);
    }
    keys.set(id, Buffer.from(value));
  }
  if (keys.size === 0) {
    throw ringError(`no "${MASTER_KEY_ENTRY_PREFIX}<id>" entries found`);
  }
  const ring = { currentId, keys };
  assertMasterKeyRing(ring);
  return ring;
}

/** Secret-style data for a ring (one `key-<id>` entry per key) and the id to record as current. */
export function serializeMasterKeyRing(ring: MasterKeyRing): { data: Record<string, Buffer>; currentId: string } {
  assertMasterKeyRing(ring);
  const data: Record<string, Buffer> = {};
  for (const [id, key] of ring.keys) {
    data[masterKeyEntryName(id)] = Buffer.from(key);
  }
  return { data, currentId: ring.currentId };
}
