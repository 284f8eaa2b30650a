// The local provider's master key ring lives in a Secret in exkey's own namespace. It is created
// on first use (so `local` works on any cluster with no cloud account), re-read periodically so
// a master-key rotation done with kubectl is picked up, and never logged.
import type { V1Secret } from '@kubernetes/client-node';
import {
  newMasterKeyRing,
  parseMasterKeyRing,
  serializeMasterKeyRing,
  type MasterKeyRing,
} from '../../crypto/index.ts';
import { isAlreadyExists, isNotFound } from '../../runtime/kube/errors.ts';
import type { KubeTransport } from '../../runtime/kube/client.ts';
import { SECRETS, collectionPath, objectPath } from '../../runtime/kube/paths.ts';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../../api/v1alpha1/index.ts';

export const LOCAL_KEYRING_SECRET = 'exkey-local-encryption-key';
/**
 * Losing the ring makes every local envelope unreadable, and exkey would otherwise create a new
 * one on next use. The finalizer (never removed by exkey) keeps an accidental delete from taking
 * the data: the Secret stays, marked for deletion, until an administrator removes the finalizer.
 */
export const KEYRING_FINALIZER = 'exkey.io/keep-key-ring';
/** Annotation naming the master key id that wraps new data keys. */
export const ANNOTATION_CURRENT_KEY = 'exkey.io/current-key-id';

/** Reads the ring from its Secret, creating the Secret with a fresh key when it does not exist. */
export async function loadOrCreateKeyRing(kube: KubeTransport, namespace: string, onCreate?: () => void): Promise<MasterKeyRing> {
  const existing = await readSecret(kube, namespace);
  if (existing) return ringFrom(existing);
  const ring = newMasterKeyRing();
  const { data, currentId } = serializeMasterKeyRing(ring);
  const secret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: LOCAL_KEYRING_SECRET,
      namespace,
      finalizers: [KEYRING_FINALIZER],
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY, 'app.kubernetes.io/component': 'local-encryption-key' },
      annotations: { [ANNOTATION_CURRENT_KEY]: currentId },
    },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')])),
  };
  try {
    await kube.send({ method: 'POST', path: collectionPath(SECRETS, namespace), body: secret });
    onCreate?.();
    return ring;
  } catch (err) {
    // Another replica won the race: use its ring, never ours.
    if (!isAlreadyExists(err)) throw err;
    const winner = await readSecret(kube, namespace);
    if (!winner) throw err;
    return ringFrom(winner);
  }
}

/** Reads the ring from its Secret; throws when there is none (tools that must never create one). */
export async function loadKeyRing(kube: KubeTransport, namespace: string): Promise<MasterKeyRing> {
  const existing = await readSecret(kube, namespace);
  if (!existing) throw new Error(`the local encryption key ring ${namespace}/${LOCAL_KEYRING_SECRET} does not exist`);
  return ringFrom(existing);
}

async function readSecret(kube: KubeTransport, namespace: string): Promise<V1Secret | undefined> {
  try {
    return await kube.send<V1Secret>({ method: 'GET', path: objectPath(SECRETS, namespace, LOCAL_KEYRING_SECRET) });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function ringFrom(secret: V1Secret): MasterKeyRing {
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  const currentId = secret.metadata?.annotations?.[ANNOTATION_CURRENT_KEY] ?? '';
  return parseMasterKeyRing(data, currentId);
}
