// Mirror of every key version into Vault KV v2 (spec.secret.vaultKvMirror), for backup and
// disaster recovery: docs/runbooks/restore-from-vault.md. Each exkey key version is written once,
// as one new KV version of the same path (KV's own history keeps the older ones, up to the mount's
// or path's max_versions). The path's custom_metadata names the ExchangeKey and the latest key
// version; it never holds key material.
//
// Vault policy the operator needs: create/update/read on <mount>/data/<path> and read/update on
// <mount>/metadata/<path>. Idempotency: a write is skipped when the path's custom_metadata already
// names this key version; a retry after a write whose metadata update failed writes one more KV
// version with the same content (harmless: reads take the newest version holding a key version).
import { VaultRequestError, type VaultBody, type VaultClient } from '../../crypto/providers/vault-client.ts';

/** Where a key's versions are mirrored. */
export interface KvMirrorLocation {
  /** KV v2 mount path (spec.secret.vaultKvMirror.mount, default `secret`). */
  readonly mount: string;
  /** Path under the mount (spec.secret.vaultKvMirror.path, default `exkey/<namespace>/<name>`). */
  readonly path: string;
}

/** The ExchangeKey a mirror belongs to, written to custom_metadata. */
export interface KvMirrorOwner {
  readonly namespace: string;
  readonly name: string;
}

/** One mirrored key version as read back. */
export interface KvMirrorEntry {
  /** KV v2 version number (not the key version). */
  readonly kvVersion: number;
  readonly createdTime: string;
  /** What writeKvMirror stored: the key material, including its `version`. */
  readonly material: Record<string, string | number>;
}

/** A mirror write or read failed. Messages name the path and Vault's error, never key material. */
export class KvMirrorError extends Error {
  readonly kind: 'not-found' | 'denied' | 'unavailable' | 'invalid';
  readonly retryable: boolean;

  constructor(kind: KvMirrorError['kind'], message: string) {
    super(message);
    this.name = 'KvMirrorError';
    this.kind = kind;
    this.retryable = kind === 'unavailable';
  }
}

export const KV_META_MANAGED_BY = 'exkey.io/managed-by';
export const KV_META_EXCHANGE_KEY = 'exkey.io/exchange-key';
export const KV_META_KEY_VERSION = 'exkey.io/key-version';
export const KV_META_EXCHANGE = 'exkey.io/exchange';

const SEGMENT = /^[A-Za-z0-9_@=+,-][A-Za-z0-9_.@=+,-]*$/;

/** The location for an ExchangeKey, applying the CRD defaults (mount `secret`, path `exkey/<ns>/<name>`). */
export function kvMirrorLocation(spec: { mount?: string; path?: string }, owner: KvMirrorOwner): KvMirrorLocation {
  const location = { mount: spec.mount ?? 'secret', path: spec.path ?? `exkey/${owner.namespace}/${owner.name}` };
  assertLocation(location);
  return location;
}

function assertLocation(location: KvMirrorLocation): void {
  for (const [what, value] of [['mount', location.mount], ['path', location.path]] as const) {
    if (value.length === 0 || value.length > 512 || !value.split('/').every((s) => SEGMENT.test(s))) {
      throw new KvMirrorError('invalid', `Vault KV mirror ${what} "${value}" must be /-separated segments of letters, digits and _ . @ = + , -`);
    }
  }
}

function describe(location: KvMirrorLocation): string {
  return `Vault KV ${location.mount}/${location.path}`;
}

function mirrorFailure(error: unknown, action: string, location: KvMirrorLocation): KvMirrorError {
  if (!(error instanceof VaultRequestError)) {
    const detail = error instanceof Error ? error.message : 'unknown error';
    return new KvMirrorError('unavailable', `could not ${action} ${describe(location)}: ${detail}`);
  }
  const said = error.errors.length > 0 ? error.errors.join('; ') : 'no error text';
  const status = error.status;
  if (status === undefined || status >= 500 || status === 429 || status === 412) {
    const what = status === undefined ? `could not be reached (${said})` : `returned HTTP ${status} (${said})`;
    return new KvMirrorError('unavailable', `Vault ${what} while trying to ${action} ${describe(location)}; exkey retries`);
  }
  if (status === 404) return new KvMirrorError('not-found', `${describe(location)} has nothing to ${action} (HTTP 404)`);
  if (status === 403) {
    return new KvMirrorError(
      'denied',
      `Vault denied exkey permission to ${action} ${describe(location)} (${said}); grant create/update/read on ` +
        `${location.mount}/data/${location.path} and read/update on ${location.mount}/metadata/${location.path}`,
    );
  }
  return new KvMirrorError('invalid', `Vault refused to ${action} ${describe(location)} (HTTP ${status}: ${said})`);
}

async function call(request: () => Promise<VaultBody>, action: string, location: KvMirrorLocation): Promise<VaultBody> {
  try {
    return await request();
  } catch (error) {
    throw mirrorFailure(error, action, location);
  }
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

interface Metadata {
  readonly currentVersion: number;
  readonly oldestVersion: number;
  readonly custom: Readonly<Record<string, unknown>>;
  /** KV versions that can still be read (not deleted, not destroyed). */
  readonly live: ReadonlySet<number>;
}

function liveVersions(versions: Readonly<Record<string, unknown>>): Set<number> {
  const live = new Set<number>();
  for (const [version, info] of Object.entries(versions)) {
    const entry = record(info);
    if (entry.destroyed !== true && (entry.deletion_time === '' || entry.deletion_time === undefined)) live.add(Number(version));
  }
  return live;
}

async function readMetadata(vault: VaultClient, location: KvMirrorLocation): Promise<Metadata | undefined> {
  try {
    const data = record((await call(() => vault.request('GET', `${location.mount}/metadata/${location.path}`), 'read the metadata of', location)).data);
    return {
      currentVersion: typeof data.current_version === 'number' ? data.current_version : 0,
      oldestVersion: typeof data.oldest_version === 'number' ? data.oldest_version : 0,
      custom: record(data.custom_metadata),
      live: liveVersions(record(data.versions)),
    };
  } catch (error) {
    if (error instanceof KvMirrorError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

function keyVersionOf(material: Readonly<Record<string, unknown>>): number {
  const version = material.version;
  return typeof version === 'number' ? version : Number(version);
}

/**
 * Writes one key version to `<mount>/data/<path>` (a new KV version, check-and-set against the
 * version read just before, so two writers cannot interleave) and records the ExchangeKey and key
 * version in the path's custom_metadata. `material.version` must be the key version. Returns the
 * KV version holding it; `written` is false when the mirror already had this key version.
 */
export async function writeKvMirror(
  vault: VaultClient,
  location: KvMirrorLocation,
  material: Readonly<Record<string, string | number>>,
  owner?: KvMirrorOwner,
): Promise<{ kvVersion: number; written: boolean }> {
  assertLocation(location);
  const keyVersion = keyVersionOf(material);
  if (!Number.isInteger(keyVersion) || keyVersion < 1) {
    throw new KvMirrorError('invalid', `key material for ${describe(location)} has no valid version`);
  }
  const before = await readMetadata(vault, location);
  if (before !== undefined && before.custom[KV_META_KEY_VERSION] === String(keyVersion) && before.currentVersion > 0) {
    return { kvVersion: before.currentVersion, written: false };
  }
  const response = await call(
    () => vault.request('POST', `${location.mount}/data/${location.path}`, { data: material, options: { cas: before?.currentVersion ?? 0 } }),
    `write key version ${keyVersion} to`,
    location,
  );
  const kvVersion = record(response.data).version;
  const custom: Record<string, string> = {
    [KV_META_MANAGED_BY]: 'exkey',
    [KV_META_KEY_VERSION]: String(keyVersion),
  };
  if (owner !== undefined) custom[KV_META_EXCHANGE_KEY] = `${owner.namespace}/${owner.name}`;
  if (typeof material.exchange === 'string' && material.exchange !== '') custom[KV_META_EXCHANGE] = material.exchange;
  await call(
    () => vault.request('POST', `${location.mount}/metadata/${location.path}`, { custom_metadata: custom }),
    'update the metadata of',
    location,
  );
  return { kvVersion: typeof kvVersion === 'number' ? kvVersion : (before?.currentVersion ?? 0) + 1, written: true };
}

function materialOf(data: Readonly<Record<string, unknown>>): Record<string, string | number> {
  const material: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' || typeof value === 'number') material[key] = value;
  }
  return material;
}

async function readKvVersion(vault: VaultClient, location: KvMirrorLocation, kvVersion?: number): Promise<KvMirrorEntry> {
  const query = kvVersion === undefined ? '' : `?version=${kvVersion}`;
  const data = record((await call(() => vault.request('GET', `${location.mount}/data/${location.path}${query}`), 'read', location)).data);
  const meta = record(data.metadata);
  return {
    kvVersion: typeof meta.version === 'number' ? meta.version : (kvVersion ?? 0),
    createdTime: typeof meta.created_time === 'string' ? meta.created_time : '',
    material: materialOf(record(data.data)),
  };
}

/**
 * Reads a mirrored key version back (the restore path): the newest KV version whose material has
 * `version === keyVersion`, or the latest KV version when `keyVersion` is omitted. Throws
 * KvMirrorError('not-found') when the path or that key version is not (or no longer) in Vault.
 */
export async function readKvMirror(vault: VaultClient, location: KvMirrorLocation, keyVersion?: number): Promise<KvMirrorEntry> {
  assertLocation(location);
  if (keyVersion === undefined) return readKvVersion(vault, location);
  const meta = await readMetadata(vault, location);
  if (meta === undefined) throw new KvMirrorError('not-found', `${describe(location)} does not exist`);
  for (let v = meta.currentVersion; v >= Math.max(1, meta.oldestVersion); v--) {
    if (!meta.live.has(v)) continue;
    const entry = await readKvVersion(vault, location, v);
    if (keyVersionOf(entry.material) === keyVersion) return entry;
  }
  throw new KvMirrorError(
    'not-found',
    `${describe(location)} holds no live KV version with key version ${keyVersion} (KV keeps up to max_versions versions; older ones are gone)`,
  );
}
