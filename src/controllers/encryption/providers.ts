// Which envelope providers the operator can seal and open with. Today: local (master key ring in
// a Secret). Remote providers (aws-kms, vault-transit) plug in here without touching controllers.
import { createLocalProvider, providersByName, type KeyProvider, type ProviderLookup } from '../../crypto/index.ts';
import type { MasterKeyRing } from '../../crypto/index.ts';
import type { Clock } from '../../runtime/clock.ts';

/** Sealing and opening providers, resolved by name. */
export interface EncryptionProviders {
  /** The provider that seals new envelopes under `name`; throws if it is not configured. */
  sealer(name: string): Promise<KeyProvider>;
  /** Every configured provider, for opening envelopes. */
  lookup(): Promise<ProviderLookup>;
}

const RING_REFRESH_MS = 60_000;

/** Providers backed by a local master key ring, re-read at most once a minute. */
export function localEncryption(loadRing: () => Promise<MasterKeyRing>, clock: Clock): EncryptionProviders {
  let cached: { provider: KeyProvider; at: number } | undefined;
  let loading: Promise<KeyProvider> | undefined;
  const local = async (): Promise<KeyProvider> => {
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
  return {
    async sealer(name) {
      if (name !== 'local') throw new Error(`encryption provider "${name}" is not configured in this exkey`);
      return local();
    },
    async lookup() {
      return providersByName([await local()]);
    },
  };
}
