// The `local` provider for consumers: the master key ring read from its Secret in exkey's
// namespace (or given as data). The ring is read on first use and read again when an envelope
// names a master key it does not hold, which is what a master-key rotation looks like from here.
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import {
  EnvelopeError, LOCAL_PROVIDER, createLocalProvider, isEnvelopeError, parseMasterKeyRing,
  type KeyUnwrapper, type MasterKeyRing,
} from '../crypto/index.ts';
import { ANNOTATION_CURRENT_KEY, LOCAL_KEYRING_SECRET } from '../controllers/encryption/local-keyring.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import { KubeClient, type KubeTransport } from '../runtime/kube/client.ts';
import { KubeApiError } from '../runtime/kube/errors.ts';
import { SECRETS, objectPath } from '../runtime/kube/paths.ts';

/** Where exkey keeps the local master key ring unless installed elsewhere. */
export const DEFAULT_KEYRING_NAMESPACE = 'exkey-system';
/** Name of the local master key ring Secret. */
export const DEFAULT_KEYRING_SECRET = LOCAL_KEYRING_SECRET;
/** The ring Secret is read again at most this often when an unknown master key shows up. */
export const DEFAULT_RING_RELOAD_MS = 10_000;

/** The ring as data: for tests, or a process that obtained it some other way. */
export interface LocalKeyRingFromData {
  ring: MasterKeyRing;
}

/** The ring read from its Secret through the Kubernetes API (needs `get` on that one Secret). */
export interface LocalKeyRingFromSecret {
  /** Namespace exkey runs in (DEFAULT_KEYRING_NAMESPACE in a standard install). */
  namespace: string;
  /** The ring Secret's name (DEFAULT_KEYRING_SECRET). */
  secretName: string;
  /** Cluster access; KubeConfig.loadFromDefault() (kubeconfig, then in-cluster) when omitted. */
  kubeconfig?: KubeConfig;
  /** A transport to read through instead of a new KubeClient (tests, or a client the process has). */
  kube?: KubeTransport;
  clock?: Clock;
  /** Least time between two reads of the ring Secret, in ms (default 10 s). */
  minReloadIntervalMs?: number;
}

/** A `local` unwrapper; close() releases its Kubernetes connections. */
export interface LocalKeyRingUnwrapper extends KeyUnwrapper {
  close(): Promise<void>;
}

function ringFromSecret(secret: V1Secret): MasterKeyRing {
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  // Unwrapping needs no current key; fall back to any id so a missing annotation does not matter here.
  const currentId = secret.metadata?.annotations?.[ANNOTATION_CURRENT_KEY]
    ?? Object.keys(data).find((key) => key.startsWith('key-'))?.slice('key-'.length)
    ?? '';
  return parseMasterKeyRing(data, currentId);
}

function readFailure(error: unknown, where: string): EnvelopeError {
  if (!(error instanceof KubeApiError)) {
    return new EnvelopeError('provider-unavailable', `cannot read the local master key ring ${where}`, { retryable: true, cause: error });
  }
  if (error.statusCode === 404) {
    return new EnvelopeError('unknown-key', `the local master key ring ${where} does not exist: check --keyring-namespace/--keyring-secret`);
  }
  if (error.statusCode === 401 || error.statusCode === 403) {
    return new EnvelopeError(
      'provider-unavailable',
      `not allowed to read the local master key ring ${where} (${error.reason}): grant this pod's ServiceAccount "get" on that Secret`,
      { retryable: false, cause: error },
    );
  }
  return new EnvelopeError('provider-unavailable', `cannot read the local master key ring ${where} (${error.reason})`, {
    retryable: error.retryable,
    cause: error,
  });
}

function fromSecret(options: LocalKeyRingFromSecret): LocalKeyRingUnwrapper {
  const clock = options.clock ?? systemClock;
  const minReloadMs = options.minReloadIntervalMs ?? DEFAULT_RING_RELOAD_MS;
  const where = `Secret ${options.namespace}/${options.secretName}`;
  let client: KubeClient | undefined;
  let current: { unwrapper: KeyUnwrapper; at: number } | undefined;
  let loading: Promise<KeyUnwrapper> | undefined;

  const transport = (): KubeTransport => {
    if (options.kube) return options.kube;
    if (!client) {
      const kc = options.kubeconfig ?? new KubeConfig();
      if (!options.kubeconfig) kc.loadFromDefault();
      client = new KubeClient(kc, { userAgent: 'exkey-consumer' });
    }
    return client;
  };
  const read = async (): Promise<KeyUnwrapper> => {
    let secret: V1Secret;
    try {
      secret = await transport().send<V1Secret>({ method: 'GET', path: objectPath(SECRETS, options.namespace, options.secretName) });
    } catch (error) {
      throw readFailure(error, where);
    }
    // Master keys are not zeroed when a ring is replaced: they also sit in the API response's
    // strings, which no code can wipe, so zeroing would only add the risk of wiping a key in use.
    const unwrapper = createLocalProvider(ringFromSecret(secret));
    current = { unwrapper, at: clock.nowMs() };
    return unwrapper;
  };
  const load = (): Promise<KeyUnwrapper> => {
    loading ??= read().finally(() => {
      loading = undefined;
    });
    return loading;
  };

  return {
    name: LOCAL_PROVIDER,
    async unwrap(wrappedKey, keyRef, context) {
      const first = current;
      const unwrapper = first?.unwrapper ?? await load();
      try {
        return await unwrapper.unwrap(wrappedKey, keyRef, context);
      } catch (error) {
        const stale = first !== undefined && clock.nowMs() - first.at >= minReloadMs;
        if (!isEnvelopeError(error, 'unknown-key') || !stale) throw error;
        return (await load()).unwrap(wrappedKey, keyRef, context);
      }
    },
    async close() {
      await client?.close();
      client = undefined;
    },
  };
}

/**
 * The `local` provider's unwrapper, from ring data or from the ring Secret read through the
 * Kubernetes API. Unwrap-only: a consumer cannot seal with it.
 */
export function localKeyRingUnwrapper(options: LocalKeyRingFromData | LocalKeyRingFromSecret): LocalKeyRingUnwrapper {
  if ('ring' in options) {
    const provider = createLocalProvider(options.ring);
    return {
      name: LOCAL_PROVIDER,
      unwrap: (wrappedKey, keyRef, context) => provider.unwrap(wrappedKey, keyRef, context),
      close: () => Promise.resolve(),
    };
  }
  return fromSecret(options);
}
