// Shapes of the Secrets exkey writes for an ExchangeKey (pure builders and readers).
import type { V1ObjectMeta, V1OwnerReference, V1Secret } from '@kubernetes/client-node';
import {
  ANNOTATION_CREATED_AT,
  ANNOTATION_ENCRYPTION,
  ANNOTATION_EXCHANGE,
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_KEY_VERSION,
  ANNOTATION_MASKED_KEY_ID,
  API_VERSION,
  LABEL_EXCHANGE_KEY,
  LABEL_MANAGED_BY,
  LABEL_PENDING_KEY,
  MANAGED_BY,
  type ExchangeKey,
} from '../../api/v1alpha1/index.ts';
import type { PendingState, PublishedState } from './observed.ts';
import { encryptionOf, maskKeyId, pendingSecretNameOf, secretNameOf } from './spec.ts';
import { DATA_ENVELOPE, hasPrevious, type KeyMaterial } from './material.ts';


/** Controller owner reference, so the Secret is garbage-collected with its ExchangeKey. */
export function ownerReference(key: ExchangeKey): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: 'ExchangeKey',
    name: key.metadata.name,
    uid: key.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** True when `secret` is controlled by this ExchangeKey. */
export function isOwnedBy(secret: V1Secret, key: ExchangeKey): boolean {
  return secret.metadata?.ownerReferences?.some((ref) => ref.uid === key.metadata.uid && ref.controller === true) ?? false;
}

/** Metadata of the Secret consumers read. User labels/annotations first, exkey's win. */
export function publishedMetadata(key: ExchangeKey, material: KeyMaterial): V1ObjectMeta {
  return {
    name: secretNameOf(key),
    namespace: key.metadata.namespace,
    labels: {
      ...(key.spec.secret?.labels ?? {}),
      [LABEL_MANAGED_BY]: MANAGED_BY,
      [LABEL_EXCHANGE_KEY]: key.metadata.name,
    },
    annotations: {
      ...(key.spec.secret?.annotations ?? {}),
      [ANNOTATION_KEY_VERSION]: String(material.version),
      [ANNOTATION_ENCRYPTION]: encryptionOf(key),
      [ANNOTATION_EXCHANGE]: key.spec.exchange,
    },
    ownerReferences: [ownerReference(key)],
  };
}

/** Metadata of the internal Secret holding a registered, unpublished key version. */
export function pendingMetadata(key: ExchangeKey, material: KeyMaterial): V1ObjectMeta {
  const annotations: Record<string, string> = {
    [ANNOTATION_KEY_VERSION]: String(material.version),
    [ANNOTATION_ENCRYPTION]: encryptionOf(key),
    [ANNOTATION_EXCHANGE]: key.spec.exchange,
    [ANNOTATION_MASKED_KEY_ID]: maskKeyId(material.apiKey),
    [ANNOTATION_CREATED_AT]: material.createdAt,
  };
  if (material.expiresAt) annotations[ANNOTATION_EXPIRES_AT] = material.expiresAt;
  return {
    name: pendingSecretNameOf(key),
    namespace: key.metadata.namespace,
    labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_EXCHANGE_KEY]: key.metadata.name, [LABEL_PENDING_KEY]: 'true' },
    annotations,
    ownerReferences: [ownerReference(key)],
  };
}

/** Planning view of the published Secret. */
export function publishedStateOf(key: ExchangeKey, secret: V1Secret | undefined): PublishedState {
  if (!secret) return { kind: 'absent' };
  if (!isOwnedBy(secret, key)) return conflictState(key);
  const state: PublishedState = { kind: 'present', version: versionOf(secret), hasPrevious: hasPrevious(secret.data) };
  if (secret.metadata?.resourceVersion) state.resourceVersion = secret.metadata.resourceVersion;
  state.encrypted = secret.data?.[DATA_ENVELOPE] !== undefined;
  return state;
}

/** The published Secret's name is taken by a Secret this ExchangeKey does not own. */
export function conflictState(key: ExchangeKey): PublishedState {
  return {
    kind: 'conflict',
    message: `Secret ${secretNameOf(key)} already exists and is not owned by this ExchangeKey; delete it or set spec.secret.name`,
  };
}

/** Planning view of a pending Secret. */
export function pendingStateOf(secret: V1Secret): PendingState {
  const annotations = secret.metadata?.annotations ?? {};
  const state: PendingState = {
    version: versionOf(secret),
    maskedKeyId: annotations[ANNOTATION_MASKED_KEY_ID] ?? '****',
    createdAt: annotations[ANNOTATION_CREATED_AT] ?? '',
  };
  const expiresAt = annotations[ANNOTATION_EXPIRES_AT];
  if (expiresAt) state.expiresAt = expiresAt;
  return state;
}

/** Key version recorded on a Secret exkey wrote (0 if unreadable). */
export function versionOf(secret: V1Secret): number {
  const value = Number(secret.metadata?.annotations?.[ANNOTATION_KEY_VERSION]);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** A complete Secret object. */
export function secretOf(metadata: V1ObjectMeta, data: Record<string, string>): V1Secret {
  return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata, data };
}
