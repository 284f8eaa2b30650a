// The Vault KV mirror as the ExchangeKey controller sees it: a key version is written to the mirror
// before it is published, so every version a consumer can ever read is also in Vault. Publication
// waits (MirrorFailed, retried with backoff) while the mirror cannot be written.
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import { KvMirrorError, kvMirrorLocation, writeKvMirror, type KvMirrorLocation, type KvMirrorOwner } from '../mirror/vault-kv.ts';
import type { VaultClient } from '../../crypto/providers/vault-client.ts';
import type { KeyMaterial } from './material.ts';

/** Writes key versions to a backup store; idempotent per key version. */
export interface KeyMirror {
  write(location: KvMirrorLocation, material: Readonly<Record<string, string | number>>, owner: KvMirrorOwner): Promise<{ written: boolean }>;
}

/** The mirror backed by the operator's Vault connection. */
export function vaultKvMirror(vault: VaultClient): KeyMirror {
  return { write: (location, material, owner) => writeKvMirror(vault, location, material, owner) };
}

/** Where this key is mirrored, or undefined when spec.secret.vaultKvMirror is not set. */
export function mirrorLocationOf(key: ExchangeKey): KvMirrorLocation | undefined {
  const spec = key.spec.secret?.vaultKvMirror;
  if (spec === undefined) return undefined;
  return kvMirrorLocation(spec, { namespace: key.metadata.namespace, name: key.metadata.name });
}

/** The record stored in KV for one key version: every defined material field. */
export function mirrorRecord(material: KeyMaterial): Record<string, string | number> {
  const record: Record<string, string | number> = {};
  for (const [field, value] of Object.entries(material)) {
    if (typeof value === 'string' || typeof value === 'number') record[field] = value;
  }
  return record;
}

/** Mirrors this key version when the spec asks for it; throws KvMirrorError when it cannot. */
export async function mirrorKeyVersion(key: ExchangeKey, material: KeyMaterial, mirror: KeyMirror | undefined): Promise<boolean> {
  const location = mirrorLocationOf(key);
  if (location === undefined) return false;
  if (mirror === undefined) {
    throw new KvMirrorError(
      'invalid',
      'spec.secret.vaultKvMirror is set but the operator has no Vault connection: set VAULT_ADDR and Vault authentication for the operator (docs/encryption.md)',
    );
  }
  const { written } = await mirror.write(location, mirrorRecord(material), { namespace: key.metadata.namespace, name: key.metadata.name });
  return written;
}
