// Reading an ExchangeKey's spec with its defaults resolved, in one place. The API server applies
// schema defaults, but objects stored before a default existed may lack them.
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import { FINALIZER } from '../../api/v1alpha1/index.ts';
import type { KeyType, Permission } from '../../exchanges/types.ts';

export type EncryptionProviderName = 'none' | 'local';

/** Name of the Secret the key is published to. */
export function secretNameOf(key: ExchangeKey): string {
  return key.spec.secret?.name ?? key.metadata.name;
}

/** Name of the internal Secret that holds a registered, not yet published key version. */
export function pendingSecretNameOf(key: ExchangeKey): string {
  return `exkey-pending-${key.metadata.uid}`;
}

/** Requested permissions; read is always included. */
export function permissionsOf(key: ExchangeKey): Permission[] {
  const requested = key.spec.permissions ?? ['read'];
  return [...new Set<Permission>(['read', ...requested])].sort();
}

/** Key type with its default. */
export function keyTypeOf(key: ExchangeKey): KeyType {
  return key.spec.keyType ?? 'hmac';
}

/** Encryption provider with its default. */
export function encryptionOf(key: ExchangeKey): EncryptionProviderName {
  return key.spec.secret?.encryption?.provider ?? 'local';
}

/** True when the object carries exkey's finalizer. */
export function hasFinalizer(key: ExchangeKey): boolean {
  return key.metadata.finalizers?.includes(FINALIZER) ?? false;
}

/** True when the object is being deleted. */
export function isDeleting(key: ExchangeKey): boolean {
  return Boolean(key.metadata.deletionTimestamp);
}

/** "namespace/name", the work-queue key and log field. */
export function keyOf(key: { metadata: { namespace?: string; name?: string } }): string {
  return `${key.metadata.namespace ?? ''}/${key.metadata.name ?? ''}`;
}

/** Masks an exchange key id for status, Events and logs: enough to recognise, not to use. */
export function maskKeyId(keyId: string): string {
  if (keyId.length < 10) return '****';
  return `${keyId.slice(0, 4)}…${keyId.slice(-2)}`;
}
