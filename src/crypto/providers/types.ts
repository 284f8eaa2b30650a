// The plug-in point for key services. Sealing asks a provider for a fresh data key plus its wrapped
// form in one call (AWS KMS GenerateDataKey, Vault transit datakey/plaintext, or local AES-GCM);
// opening needs only `unwrap` (KMS Decrypt, Vault transit decrypt), so readers such as the agent
// and the client library can hold decrypt-only credentials.

import type { EnvelopeContext } from '../context.ts';

/** A fresh data key and the provider's wrapping of it. The caller owns `dataKey` and zeroes it. */
export interface GeneratedDataKey {
  /** 32 bytes of key material. */
  readonly dataKey: Buffer;
  /** Opaque to the envelope layer: only the same provider can turn it back into `dataKey`. */
  readonly wrappedKey: Buffer;
  /** Which key wrapped it, in the provider's own syntax (`local:<id>`, a KMS key ARN, ...); not secret. */
  readonly keyRef: string;
}

/** Opens wrapped data keys. Throws EnvelopeError: tampered, unknown-key, provider-unavailable or malformed. */
export interface KeyUnwrapper {
  /** Provider name written in the envelope's `provider` field. */
  readonly name: string;
  /**
   * Returns the 32-byte data key (caller owns and zeroes it). `context` must be bound cryptographically
   * (AAD, EncryptionContext, derivation context) so a key wrapped for another object fails as tampered.
   */
  unwrap(wrappedKey: Buffer, keyRef: string, context: EnvelopeContext): Promise<Buffer>;
}

/** A provider that can also seal: generates a data key bound to `context` and returns it with its wrapping. */
export interface KeyProvider extends KeyUnwrapper {
  generateDataKey(context: EnvelopeContext): Promise<GeneratedDataKey>;
}

/** Finds the unwrapper for an envelope's `provider` field; undefined when none is configured. */
export type ProviderLookup = (name: string) => KeyUnwrapper | undefined;

/** A lookup over a fixed set of providers; throws if two share a name (a configuration bug). */
export function providersByName(providers: Iterable<KeyUnwrapper>): ProviderLookup {
  const byName = new Map<string, KeyUnwrapper>();
  for (const provider of providers) {
    if (byName.has(provider.name)) {
      throw new Error(`two key providers are named "${provider.name}"`);
    }
    byName.set(provider.name, provider);
  }
  return (name) => byName.get(name);
}
