// Unwrappers for envelopes sealed with a cloud provider, as consumers need them: decrypt-only,
// built from the pod's own credentials, one client per AWS region (taken from each envelope's key
// ARN) and one Vault connection. The agent uses the same ones.
import { EnvelopeError, type KeyUnwrapper } from '../crypto/index.ts';
import { createRegionalKmsUnwrapper, kmsClientPool, type KmsClientOptions } from '../crypto/providers/aws-kms.ts';
import { vaultClientFromEnv, type VaultClient } from '../crypto/providers/vault-client.ts';
import { VAULT_TRANSIT_PROVIDER, createVaultTransitUnwrapper } from '../crypto/providers/vault-transit.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';

/** An unwrapper that holds connections; close() releases them. */
export interface ClosableUnwrapper extends KeyUnwrapper {
  close(): Promise<void>;
}

/**
 * Opens aws-kms envelopes with kms:Decrypt from the standard AWS chain (IRSA, Pod Identity, env).
 * `region` in the options is ignored: each envelope's key ARN names its region.
 */
export function awsKmsUnwrapper(options: Omit<KmsClientOptions, 'region'> = {}): ClosableUnwrapper {
  const pool = kmsClientPool(options);
  const unwrapper = createRegionalKmsUnwrapper(pool);
  return {
    ...unwrapper,
    close: () => {
      pool.close();
      return Promise.resolve();
    },
  };
}

/** Options for vaultTransitUnwrapper. */
export interface VaultTransitUnwrapperOptions {
  /** A Vault connection; by default one from the environment (VAULT_ADDR and its authentication). */
  vault?: VaultClient;
  /** Transit mounts an envelope may name; any when omitted (see docs/encryption.md). */
  allowedMounts?: readonly string[];
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/**
 * Opens vault-transit envelopes with `update` on <mount>/decrypt/<key>. Without `vault`, connects
 * from the environment; without VAULT_ADDR every unwrap fails as unknown-key (callers that require
 * Vault should check VAULT_ADDR up front).
 */
export function vaultTransitUnwrapper(options: VaultTransitUnwrapperOptions = {}): ClosableUnwrapper {
  const mounts = options.allowedMounts === undefined ? {} : { allowedMounts: options.allowedMounts };
  const ready = (options.vault ? Promise.resolve(options.vault) : vaultClientFromEnv({ clock: options.clock ?? systemClock, env: options.env ?? process.env }))
    .then((vault) => {
      if (!vault) throw new EnvelopeError('unknown-key', 'VAULT_ADDR is not set: this process cannot open vault-transit envelopes');
      return createVaultTransitUnwrapper({ vault, ...mounts });
    });
  ready.catch(() => undefined); // reported by the first unwrap
  return {
    name: VAULT_TRANSIT_PROVIDER,
    unwrap: async (wrappedKey, keyRef, context) => (await ready).unwrap(wrappedKey, keyRef, context),
    close: () => Promise.resolve(),
  };
}
