// Which envelope providers the operator seals and opens with: local (master key ring in a
// Secret), aws-kms (a client per region from the standard AWS chain) and, when configured,
// vault-transit. Controllers ask for a sealer per ExchangeKey (its KMS key or Transit key) and one
// lookup for opening anything.
import type { ExchangeKeySpec } from '../../api/v1alpha1/index.ts';
import {
  EnvelopeError, createLocalProvider, providersByName, type KeyProvider, type KeyUnwrapper, type MasterKeyRing, type ProviderLookup,
} from '../../crypto/index.ts';
import { createAwsKmsProvider, createRegionalKmsUnwrapper, kmsClientPool, type KmsClientOptions } from '../../crypto/providers/aws-kms.ts';
import type { VaultClient } from '../../crypto/providers/vault-client.ts';
import { createVaultTransitProvider, createVaultTransitUnwrapper } from '../../crypto/providers/vault-transit.ts';
import type { Clock } from '../../runtime/clock.ts';

/** spec.secret.encryption with its default. */
export type EncryptionSettings = NonNullable<NonNullable<ExchangeKeySpec['secret']>['encryption']>;

/** Sealing and opening providers. */
export interface EncryptionProviders {
  /** The provider that seals new envelopes for these settings; throws EnvelopeError if unusable. */
  sealer(settings: EncryptionSettings): Promise<KeyProvider>;
  /** Every configured provider, for opening envelopes. */
  lookup(): Promise<ProviderLookup>;
}

/** Vault Transit, when the operator has a Vault connection. */
export interface VaultTransitFactory {
  sealer(mount: string, key: string): KeyProvider;
  unwrapper: KeyUnwrapper;
}

/** Vault Transit over one Vault connection; `allowedMounts` limits which mounts envelopes may name. */
export function vaultTransitFactory(vault: VaultClient, allowedMounts?: readonly string[]): VaultTransitFactory {
  const mounts = allowedMounts === undefined ? {} : { allowedMounts };
  return {
    sealer: (mount, key) => createVaultTransitProvider({ vault, mount, key, ...mounts }),
    unwrapper: createVaultTransitUnwrapper({ vault, ...mounts }),
  };
}

/** Operator-level encryption settings. */
export interface EncryptionOptions {
  /** Loads the local master key ring (created on first use). */
  loadRing: () => Promise<MasterKeyRing>;
  clock: Clock;
  /** AWS client settings beyond the standard chain (tests: endpoint and credentials). */
  kms?: KmsClientOptions;
  vault?: VaultTransitFactory;
}

const RING_REFRESH_MS = 60_000;

/** The operator's providers. */
export function operatorEncryption(options: EncryptionOptions): EncryptionProviders {
  const local = cachedLocal(options.loadRing, options.clock);
  const kms = kmsClientPool(options.kms ?? {});
  const kmsUnwrapper = createRegionalKmsUnwrapper(kms);
  return {
    async sealer(settings) {
      switch (settings.provider) {
        case 'aws-kms': {
          const aws = required(settings.awsKms, 'awsKms');
          return createAwsKmsProvider({ client: kms.client(aws.region), keyId: aws.keyId });
        }
        case 'vault-transit': {
          const transit = required(settings.vaultTransit, 'vaultTransit');
          if (!options.vault) throw notConfigured('vault-transit', 'set VAULT_ADDR and Vault authentication for the operator');
          return options.vault.sealer(transit.mount ?? 'transit', transit.key);
        }
        default:
          return local();
      }
    },
    async lookup() {
      return providersByName([await local(), kmsUnwrapper, ...(options.vault ? [options.vault.unwrapper] : [])]);
    },
  };
}

/** Providers backed only by a local master key ring (tests, tools). */
export function localEncryption(loadRing: () => Promise<MasterKeyRing>, clock: Clock): EncryptionProviders {
  return operatorEncryption({ loadRing, clock });
}

// Re-read the ring at most once a minute, so a master-key rotation done with kubectl is picked up.
function cachedLocal(loadRing: () => Promise<MasterKeyRing>, clock: Clock): () => Promise<KeyProvider> {
  let cached: { provider: KeyProvider; at: number } | undefined;
  let loading: Promise<KeyProvider> | undefined;
  return async () => {
    if (cached && clock.nowMs() - cached.at < RING_REFRESH_MS) return cached.provider;
    loading ??= loadRing()
      .then((ring) => {
        const provider = createLocalProvider(ring);
        cached = { provider, at: clock.nowMs() };
        return provider;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new EnvelopeError('malformed', `spec.secret.encryption.${field} is required for this provider`);
  return value;
}

function notConfigured(provider: string, hint: string): EnvelopeError {
  return new EnvelopeError('unknown-key', `encryption provider ${provider} is not configured in this operator: ${hint}`);
}
