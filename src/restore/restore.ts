// Restores an ExchangeKey's published Secret from its Vault KV mirror (the path in
// docs/runbooks/restore-from-vault.md): the mirrored key version is sealed again, for this Secret
// and version, with the provider the ExchangeKey asks for, and written exactly as exkey writes it,
// so the operator accepts it without a rotation. Never replaces an existing Secret.
import type { ExchangeKey } from '../api/v1alpha1/index.ts';
import type { EncryptionProviders } from '../controllers/encryption/providers.ts';
import { exchangeKeyApi, secretApi } from '../controllers/exchangekey/api.ts';
import { encodeMaterial, type KeyMaterial } from '../controllers/exchangekey/material.ts';
import { mirrorLocationOf } from '../controllers/exchangekey/mirror.ts';
import { publishedMetadata, secretOf } from '../controllers/exchangekey/secrets.ts';
import { encryptionSettingsOf, secretNameOf } from '../controllers/exchangekey/spec.ts';
import { readKvMirror } from '../controllers/mirror/vault-kv.ts';
import type { VaultClient } from '../crypto/providers/vault-client.ts';
import type { KubeTransport } from '../runtime/kube/client.ts';

/** What to restore and with what. */
export interface RestoreRequest {
  kube: KubeTransport;
  vault: VaultClient;
  encryption: EncryptionProviders;
  namespace: string;
  /** The ExchangeKey's name. */
  name: string;
  /** Key version to restore; status.currentVersion by default (the only one exkey accepts). */
  version?: number;
}

/** What was restored (no key material). */
export interface Restored {
  secret: string;
  version: number;
  kvVersion: number;
}

/** A restore refused before anything was written; the message says what to do. */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

/** Restores the published Secret of `namespace/name` from the mirror; throws RestoreError when it must not. */
export async function restoreSecretFromMirror(request: RestoreRequest): Promise<Restored> {
  const { namespace, name } = request;
  const key = await exchangeKeyApi(request.kube).get(namespace, name);
  if (!key) throw new RestoreError(`ExchangeKey ${namespace}/${name} does not exist`);
  const location = mirrorLocationOf(key);
  if (!location) throw new RestoreError(`ExchangeKey ${namespace}/${name} has no spec.secret.vaultKvMirror: nothing was mirrored`);
  const version = versionToRestore(key, request.version);
  const secretName = secretNameOf(key);
  const secrets = secretApi(request.kube);
  if (await secrets.get(namespace, secretName)) {
    throw new RestoreError(`Secret ${namespace}/${secretName} exists; exkey never overwrites it from the mirror (delete it first if it is the one to replace)`);
  }
  const entry = await readKvMirror(request.vault, location, version);
  const material = materialOf(entry.material, version);
  const data = await encodeMaterial(material, encryptionSettingsOf(key), { namespace, name: secretName, version }, request.encryption);
  await secrets.create(secretOf(publishedMetadata(key, material), data));
  return { secret: secretName, version, kvVersion: entry.kvVersion };
}

function versionToRestore(key: ExchangeKey, requested: number | undefined): number {
  const current = key.status?.currentVersion;
  if (current === undefined) throw new RestoreError('the ExchangeKey has no status.currentVersion: no version was ever published');
  if (requested !== undefined && requested !== current) {
    throw new RestoreError(`version ${requested} is not status.currentVersion (${current}); exkey would treat it as lost and rotate`);
  }
  return current;
}

// The mirror holds what writeKvMirror stored; anything else is refused rather than published.
function materialOf(record: Readonly<Record<string, string | number>>, version: number): KeyMaterial {
  const text = (field: string): string | undefined => {
    const value = record[field];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const apiKey = text('apiKey');
  const exchange = text('exchange');
  const createdAt = text('createdAt');
  if (apiKey === undefined || exchange === undefined || createdAt === undefined || Number(record.version) !== version) {
    throw new RestoreError(`the mirrored entry for key version ${version} is not exkey key material (apiKey, exchange, createdAt, version)`);
  }
  const optional = Object.fromEntries(
    (['apiSecret', 'passphrase', 'privateKey', 'expiresAt'] as const).flatMap((field) => {
      const value = text(field);
      return value === undefined ? [] : [[field, value]];
    }),
  );
  return { version, exchange, apiKey, createdAt, ...optional };
}
