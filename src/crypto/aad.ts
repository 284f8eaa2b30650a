// Canonical associated data for envelope v1 (docs/envelope-format.md, "Associated data").
// Every item is either a 4-byte big-endian unsigned integer or a byte string preceded by its
// 4-byte big-endian length, in a fixed order, so no two different inputs give the same bytes
// whatever characters the strings hold.

import type { EnvelopeContext } from './context.ts';

/** Format version written in `v` and bound into both AADs. */
export const FORMAT_VERSION = 1;
/** The only data cipher of format v1 (JOSE name). */
export const ALGORITHM = 'A256GCM';
/** Domain-separation label of the envelope's data AAD. */
export const ENVELOPE_AAD_LABEL = 'exkey.io/envelope';
/** Domain-separation label of the local provider's key-wrapping AAD. */
export const LOCAL_WRAP_AAD_LABEL = 'exkey.io/local-wrap';

/** What the data AAD binds besides the context: which provider and key wrapped which data key. */
export interface KeyBinding {
  readonly provider: string;
  readonly keyRef: string;
  readonly wrappedKey: Uint8Array;
}

type Item = number | string | Uint8Array;

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

// Length-prefixes strings (as UTF-8) and byte strings; writes integers as u32.
function encode(items: readonly Item[]): Buffer {
  const parts: Buffer[] = [];
  for (const item of items) {
    if (typeof item === 'number') {
      parts.push(u32(item));
    } else {
      const bytes = typeof item === 'string' ? Buffer.from(item, 'utf8') : Buffer.from(item);
      parts.push(u32(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

/**
 * The GCM associated data of the envelope's data ciphertext:
 * LP(label) U32(1) LP("A256GCM") LP(namespace) LP(name) U32(version) LP(provider) LP(keyRef) LP(wrappedKey).
 */
export function envelopeAad(context: EnvelopeContext, binding: KeyBinding): Buffer {
  return encode([
    ENVELOPE_AAD_LABEL,
    FORMAT_VERSION,
    ALGORITHM,
    context.namespace,
    context.name,
    context.version,
    binding.provider,
    binding.keyRef,
    binding.wrappedKey,
  ]);
}

/** The GCM associated data of the local provider's wrapped data key: LP(label) U32(1) LP(ns) LP(name) U32(version) LP(masterKeyId). */
export function localWrapAad(context: EnvelopeContext, masterKeyId: string): Buffer {
  return encode([
    LOCAL_WRAP_AAD_LABEL,
    FORMAT_VERSION,
    context.namespace,
    context.name,
    context.version,
    masterKeyId,
  ]);
}
