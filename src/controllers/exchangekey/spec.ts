// Reading an ExchangeKey's spec with its defaults resolved, in one place. The API server applies
// schema defaults, but objects stored before a default existed may lack them.
import { createHash } from 'node:crypto';
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import { ANNOTATION_REVOKE, ANNOTATION_ROTATE, FINALIZER } from '../../api/v1alpha1/index.ts';
import type { KeyType, Permission } from '../../exchanges/types.ts';

export type EncryptionProviderName = 'none' | 'local' | 'aws-kms' | 'vault-transit';

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

/** spec.secret.encryption with the provider's default applied. */
export function encryptionSettingsOf(key: ExchangeKey): NonNullable<NonNullable<ExchangeKey['spec']['secret']>['encryption']> {
  return { ...(key.spec.secret?.encryption ?? {}), provider: encryptionOf(key) };
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

/**
 * Hash of the spec fields a key is issued with. When it differs from status.issuedSpecHash, the
 * live key no longer matches the spec and a rotation brings in one that does.
 */
export function specHashOf(key: ExchangeKey): string {
  const fields = {
    account: key.spec.account ?? '',
    permissions: permissionsOf(key),
    ipAllowlist: [...(key.spec.ipAllowlist ?? [])].sort(),
    keyType: keyTypeOf(key),
  };
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

/** The exkey.io/rotate token, if set and not yet acted on. */
export function pendingRotateToken(key: ExchangeKey): string | undefined {
  const token = key.metadata.annotations?.[ANNOTATION_ROTATE];
  return token && token !== key.status?.lastRotateToken ? token : undefined;
}

/** The exkey.io/revoke token, if set and not yet acted on. */
export function pendingRevokeToken(key: ExchangeKey): string | undefined {
  const token = key.metadata.annotations?.[ANNOTATION_REVOKE];
  return token && token !== key.status?.lastRevokeToken ? token : undefined;
}

/** Rollouts are throttled per policy (all its keys share maxConcurrent), or per key without one. */
export function throttleScopeOf(key: ExchangeKey): string {
  const policy = key.spec.rotationPolicyRef?.name;
  return policy ? `${key.metadata.namespace}/policy/${policy}` : `${key.metadata.namespace}/key/${key.metadata.name}`;
}
