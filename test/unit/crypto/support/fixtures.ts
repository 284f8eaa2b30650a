// Small builders shared by the crypto unit tests.

import { openEnvelope, sealEnvelope } from '../../../../src/crypto/envelope.ts';
import type { EnvelopeContext } from '../../../../src/crypto/context.ts';
import { EnvelopeError } from '../../../../src/crypto/errors.ts';
import { newMasterKeyRing, rotateMasterKeyRing, type MasterKeyRing } from '../../../../src/crypto/master-key-ring.ts';
import { createLocalProvider } from '../../../../src/crypto/providers/local.ts';
import { providersByName, type KeyProvider, type ProviderLookup } from '../../../../src/crypto/providers/types.ts';

export const CONTEXT: EnvelopeContext = { namespace: 'trading', name: 'bybit-mm-key', version: 3 };
export const PLAINTEXT = Buffer.from('{"apiKey":"XKTESTKEY0001","apiSecret":"test-only-not-a-real-secret"}');

/** A fresh one-key ring, its local provider and a lookup holding it. */
export function localSetup(ring: MasterKeyRing = newMasterKeyRing()): { ring: MasterKeyRing; provider: KeyProvider; lookup: ProviderLookup } {
  const provider = createLocalProvider(ring);
  return { ring, provider, lookup: providersByName([provider]) };
}

/** A two-key ring: `old` sealed with before the rotation, `ring` current on the new key. */
export function rotatedSetup(): { old: MasterKeyRing; ring: MasterKeyRing } {
  const old = newMasterKeyRing();
  return { old, ring: rotateMasterKeyRing(old) };
}

/** Seals PLAINTEXT (or `plaintext`) for CONTEXT (or `context`) with `provider`. */
export function seal(provider: KeyProvider, context: EnvelopeContext = CONTEXT, plaintext: Buffer = PLAINTEXT): Promise<string> {
  return sealEnvelope(plaintext, context, provider);
}

/** The EnvelopeError an operation rejects with; fails the test if it resolves or throws something else. */
export async function failure(operation: Promise<unknown>): Promise<EnvelopeError> {
  const outcome = await operation.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof EnvelopeError)) {
    throw new Error(`expected an EnvelopeError, got ${String(outcome)}`);
  }
  return outcome;
}

/** Opens with the given lookup, for CONTEXT by default. */
export function open(serialized: string, lookup: ProviderLookup, expected: EnvelopeContext = CONTEXT): Promise<Buffer> {
  return openEnvelope(serialized, expected, lookup);
}

/** Applies `edit` to the envelope's JSON fields and re-serializes. */
export function editEnvelope(serialized: string, edit: (fields: Record<string, unknown>) => Record<string, unknown>): string {
  return JSON.stringify(edit(JSON.parse(serialized) as Record<string, unknown>));
}

/** Flips the low bit of byte `index` (negative counts from the end) of a base64 field. */
export function flipBit(serialized: string, field: string, index = 0): string {
  return editEnvelope(serialized, (fields) => {
    const bytes = Buffer.from(fields[field] as string, 'base64');
    bytes[index < 0 ? bytes.length + index : index]! ^= 0x01;
    return { ...fields, [field]: bytes.toString('base64') };
  });
}
