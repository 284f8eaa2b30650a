// Seal and open envelope v1 (docs/envelope-format.md). One fresh data key per seal, AES-256-GCM
// with AAD binding the Secret's namespace/name, the key version and the wrapped key, so a
// ciphertext moved to another object, version or wrapped key fails to authenticate.

import { envelopeAad, type KeyBinding } from './aad.ts';
import { IV_BYTES, KEY_BYTES, gcmOpen, gcmSeal } from './aes-gcm.ts';
import { assertContext, describeContext, sameContext, type EnvelopeContext } from './context.ts';
import { KEY_REF, MAX_WRAPPED_KEY_BYTES, PROVIDER_NAME, parseEnvelope, serializeEnvelope } from './envelope-codec.ts';
import { EnvelopeError } from './errors.ts';
import type { KeyProvider, ProviderLookup } from './providers/types.ts';
import { secureRandom, type RandomSource } from './random.ts';

// Provider errors that are not EnvelopeErrors are unclassified failures of a remote service:
// reported as provider-unavailable and retryable, the controller's default (retry with backoff).
async function callProvider<T>(provider: string, action: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof EnvelopeError) {
      throw error;
    }
    throw new EnvelopeError('provider-unavailable', `key provider "${provider}" failed to ${action}`, {
      retryable: true,
      cause: error,
    });
  }
}

function providerBug(provider: string, message: string): EnvelopeError {
  return new EnvelopeError('provider-unavailable', `key provider "${provider}" ${message}`, { retryable: false });
}

function checkBinding(binding: KeyBinding, dataKey: Buffer): void {
  if (dataKey.length !== KEY_BYTES) {
    throw providerBug(binding.provider, `returned a ${dataKey.length}-byte data key, expected ${KEY_BYTES}`);
  }
  if (!KEY_REF.test(binding.keyRef)) {
    throw providerBug(binding.provider, 'returned a keyRef that is not 1-2048 printable ASCII characters');
  }
  if (binding.wrappedKey.length < 1 || binding.wrappedKey.length > MAX_WRAPPED_KEY_BYTES) {
    throw providerBug(binding.provider, `returned a ${binding.wrappedKey.length}-byte wrapped key, expected 1..${MAX_WRAPPED_KEY_BYTES}`);
  }
}

/** Encrypts `plaintext` for `context` under a fresh data key from `provider`; returns the serialized envelope. */
export function sealEnvelope(plaintext: Uint8Array, context: EnvelopeContext, provider: KeyProvider): Promise<string> {
  return sealEnvelopeWithRandom(plaintext, context, provider, secureRandom);
}

/** Test seam only (deterministic vectors): sealEnvelope drawing the data IV from `random`. */
export async function sealEnvelopeWithRandom(
  plaintext: Uint8Array,
  context: EnvelopeContext,
  provider: KeyProvider,
  random: RandomSource,
): Promise<string> {
  assertContext(context, 'seal context');
  if (!PROVIDER_NAME.test(provider.name)) {
    throw new EnvelopeError('malformed', 'key provider name must be lowercase letters, digits and -');
  }
  const bound: EnvelopeContext = { namespace: context.namespace, name: context.name, version: context.version };
  const generated = await callProvider(provider.name, 'generate a data key', () => provider.generateDataKey(bound));
  const { dataKey } = generated;
  try {
    const binding: KeyBinding = { provider: provider.name, keyRef: generated.keyRef, wrappedKey: generated.wrappedKey };
    checkBinding(binding, dataKey);
    const iv = random(IV_BYTES);
    const { ct, tag } = gcmSeal(dataKey, iv, plaintext, envelopeAad(bound, binding));
    return serializeEnvelope({ v: 1, ...binding, wrappedKey: Buffer.from(binding.wrappedKey), context: bound, iv, ct, tag });
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Decrypts an envelope that must belong to `expected`; throws EnvelopeError (any kind). The AAD is
 * built from `expected`, not from the envelope's clear fields, which only give an early, clearer error.
 */
export async function openEnvelope(
  serialized: string | Uint8Array,
  expected: EnvelopeContext,
  providers: ProviderLookup,
): Promise<Buffer> {
  assertContext(expected, 'expected context');
  const envelope = parseEnvelope(serialized);
  if (!sameContext(envelope.context, expected)) {
    throw new EnvelopeError(
      'context-mismatch',
      `envelope belongs to ${describeContext(envelope.context)}, expected ${describeContext(expected)}`,
    );
  }
  const unwrapper = providers(envelope.provider);
  if (unwrapper === undefined) {
    throw new EnvelopeError(
      'unknown-key',
      `envelope for ${describeContext(expected)} was sealed with key provider "${envelope.provider}", which is not configured here`,
    );
  }
  const dataKey = await callProvider(envelope.provider, 'unwrap a data key', () =>
    unwrapper.unwrap(envelope.wrappedKey, envelope.keyRef, expected),
  );
  try {
    if (dataKey.length !== KEY_BYTES) {
      throw providerBug(envelope.provider, `returned a ${dataKey.length}-byte data key, expected ${KEY_BYTES}`);
    }
    const plaintext = gcmOpen(dataKey, envelope.iv, envelope, envelopeAad(expected, envelope));
    if (plaintext === undefined) {
      throw new EnvelopeError(
        'tampered',
        `envelope for ${describeContext(expected)} failed authentication: its ciphertext, IV, tag or key binding ` +
          'was altered, or it was sealed for another Secret or version',
      );
    }
    return plaintext;
  } finally {
    dataKey.fill(0);
  }
}
