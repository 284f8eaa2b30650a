// The Kubernetes calls the ExchangeKey controller makes, behind two narrow interfaces so the
// executor can be exercised against a real API server or a recording fake alike.
import type { V1Secret } from '@kubernetes/client-node';
import { EXCHANGE_KEYS, type ExchangeKey, type ExchangeKeyStatus } from '../../api/v1alpha1/index.ts';
import { isNotFound } from '../../runtime/kube/errors.ts';
import type { KubeTransport } from '../../runtime/kube/client.ts';
import { SECRETS, collectionPath, objectPath } from '../../runtime/kube/paths.ts';

/** ExchangeKey reads and writes. Writes carry the resourceVersion they were planned against. */
export interface ExchangeKeyApi {
  /** Fresh read from the API server; undefined when gone. */
  get(namespace: string, name: string): Promise<ExchangeKey | undefined>;
  /** Replaces status (optimistic concurrency on metadata.resourceVersion); returns the new object. */
  replaceStatus(key: ExchangeKey, status: ExchangeKeyStatus): Promise<ExchangeKey>;
  /** Sets metadata.finalizers (optimistic concurrency); returns the new object. */
  setFinalizers(key: ExchangeKey, finalizers: string[]): Promise<ExchangeKey>;
}

/** Secret reads and writes in the ExchangeKey's namespace. */
export interface SecretApi {
  get(namespace: string, name: string): Promise<V1Secret | undefined>;
  create(secret: V1Secret): Promise<V1Secret>;
  /** Replaces a Secret (metadata.resourceVersion must be set). */
  replace(secret: V1Secret): Promise<V1Secret>;
  /** Deletes a Secret; succeeds when it is already gone. */
  delete(namespace: string, name: string): Promise<void>;
}

/** ExchangeKeyApi over the REST API. */
export function exchangeKeyApi(kube: KubeTransport): ExchangeKeyApi {
  const path = (key: ExchangeKey, sub?: string): string =>
    objectPath(EXCHANGE_KEYS, key.metadata.namespace, key.metadata.name, sub);
  return {
    get: (namespace, name) =>
      orUndefined(kube.send<ExchangeKey>({ method: 'GET', path: objectPath(EXCHANGE_KEYS, namespace, name) })),
    replaceStatus: (key, status) =>
      kube.send<ExchangeKey>({ method: 'PUT', path: path(key, 'status'), body: { ...key, status } }),
    setFinalizers: (key, finalizers) =>
      kube.send<ExchangeKey>({
        method: 'PATCH',
        path: path(key),
        patchType: 'merge',
        body: { metadata: { finalizers, resourceVersion: key.metadata.resourceVersion } },
      }),
  };
}

/** SecretApi over the REST API. */
export function secretApi(kube: KubeTransport): SecretApi {
  return {
    get: (namespace, name) => orUndefined(kube.send<V1Secret>({ method: 'GET', path: objectPath(SECRETS, namespace, name) })),
    create: (secret) =>
      kube.send<V1Secret>({ method: 'POST', path: collectionPath(SECRETS, secret.metadata?.namespace ?? ''), body: secret }),
    replace: (secret) =>
      kube.send<V1Secret>({
        method: 'PUT',
        path: objectPath(SECRETS, secret.metadata?.namespace ?? '', secret.metadata?.name ?? ''),
        body: secret,
      }),
    delete: async (namespace, name) => {
      try {
        await kube.send({ method: 'DELETE', path: objectPath(SECRETS, namespace, name) });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
