// The `vault-transit` provider: Vault's Transit engine makes and wraps the data keys, so the key
// that protects them never leaves Vault and every seal and open is in Vault's audit log.
//
// - seal: POST <mount>/datakey/plaintext/<key> {bits: 256} → the data key and its wrapping
//   (`vault:vN:...`, written as the envelope's wrappedKey, as UTF-8 bytes).
// - open: POST <mount>/decrypt/<key> {ciphertext}. Only this half is needed to read, so consumers
//   can hold a policy with `update` on <mount>/decrypt/<key> alone.
// - keyRef: `vault-transit:<mount>/<key>` (the mount may contain slashes; the key name cannot).
//
// Binding. The envelope AAD binds namespace, name and version in every case. When the transit key
// was created with `derived=true`, Vault also derives a per-object key from a `context`, which exkey
// sets to base64(LP("exkey.io/vault-transit") U32(1) LP(namespace) LP(name) U32(version)) (LP =
// 4-byte big-endian length + bytes, U32 = 4-byte big-endian): a wrapped key presented for another
// Secret or version then fails inside Vault, as with a KMS EncryptionContext (defence in depth, and
// the context is in Vault's audit log). Sealing reads the key's `derived` flag once
// (GET <mount>/keys/<key>, cached per VaultClient) and passes the context only to derived keys.
// Opening always passes it: Vault ignores the context for non-derived keys, so readers need
// neither the key's config nor the right to read it, and each open is exactly one Vault call.
import { assertContext, describeContext, type EnvelopeContext } from '../context.ts';
import { EnvelopeError } from '../errors.ts';
import type { GeneratedDataKey, KeyProvider, KeyUnwrapper } from './types.ts';
import { VaultRequestError, redactVaultText, type VaultBody, type VaultClient } from './vault-client.ts';

/** Provider name written in envelopes. */
export const VAULT_TRANSIT_PROVIDER = 'vault-transit';
/** keyRef prefix: `vault-transit:<mount>/<key>`. */
export const VAULT_TRANSIT_KEY_REF_PREFIX = `${VAULT_TRANSIT_PROVIDER}:`;
/** Domain-separation label of the Vault derivation context. */
export const VAULT_TRANSIT_CONTEXT_LABEL = 'exkey.io/vault-transit';

/** Transit key names (Vault's GenericNameRegex). */
const KEY_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9_])?$/;
/** Mount path segments; `..` and empty segments are impossible. */
const MOUNT_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** System backends a keyRef must never point exkey's token at. */
const RESERVED_MOUNTS = new Set(['sys', 'auth', 'identity', 'cubbyhole']);
/** A transit ciphertext: `vault:v<version>:<base64>`. */
const CIPHERTEXT = /^vault:v\d{1,10}:[A-Za-z0-9+/]+={0,2}$/;
const DATA_KEY_BITS = 256;

/** A transit key: where it is mounted and its name. */
export interface TransitKeyName {
  readonly mount: string;
  readonly key: string;
}

function mountProblem(mount: string): string | undefined {
  const segments = mount.split('/');
  if (mount.length > 128 || !segments.every((s) => MOUNT_SEGMENT.test(s))) {
    return 'a transit mount must be path segments of letters, digits, _ . - (at most 128 characters)';
  }
  if (RESERVED_MOUNTS.has(segments[0] ?? '')) return `"${segments[0] ?? ''}/" is a Vault system path, not a transit mount`;
  return undefined;
}

/** `vault-transit:<mount>/<key>`; throws EnvelopeError('malformed') for an invalid mount or key name. */
export function vaultTransitKeyRef(name: TransitKeyName): string {
  const problem = mountProblem(name.mount) ?? (KEY_NAME.test(name.key) ? undefined : 'invalid transit key name');
  if (problem !== undefined) throw new EnvelopeError('malformed', `vault-transit key ${name.mount}/${name.key}: ${problem}`);
  return `${VAULT_TRANSIT_KEY_REF_PREFIX}${name.mount}/${name.key}`;
}

/** Parses a keyRef written by this provider; throws EnvelopeError('malformed') without echoing it. */
export function parseVaultTransitKeyRef(keyRef: string): TransitKeyName {
  const rest = keyRef.startsWith(VAULT_TRANSIT_KEY_REF_PREFIX) ? keyRef.slice(VAULT_TRANSIT_KEY_REF_PREFIX.length) : '';
  const slash = rest.lastIndexOf('/');
  const mount = rest.slice(0, Math.max(0, slash));
  const key = rest.slice(slash + 1);
  if (slash < 1 || !KEY_NAME.test(key) || mountProblem(mount) !== undefined) {
    throw new EnvelopeError('malformed', `keyRef is not of the form "${VAULT_TRANSIT_KEY_REF_PREFIX}<mount>/<key>"`);
  }
  return { mount, key };
}

function lp(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** The Vault derivation context for `context` (base64), as described at the top of this file. */
export function vaultTransitContext(context: EnvelopeContext): string {
  const bytes = Buffer.concat([lp(VAULT_TRANSIT_CONTEXT_LABEL), u32(1), lp(context.namespace), lp(context.name), u32(context.version)]);
  return bytes.toString('base64');
}

/** What sealing needs to know about a transit key. */
export interface TransitKeyConfig {
  readonly derived: boolean;
  readonly type: string;
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringField(body: VaultBody, field: string): string | undefined {
  const value = record(body.data)[field];
  return typeof value === 'string' ? value : undefined;
}

type Operation = 'read the config of' | 'generate a data key with' | 'decrypt a data key with';

function remediation(operation: Operation, name: TransitKeyName): string {
  const path =
    operation === 'read the config of'
      ? `read on ${name.mount}/keys/${name.key}`
      : operation === 'generate a data key with'
        ? `update on ${name.mount}/datakey/plaintext/${name.key}`
        : `update on ${name.mount}/decrypt/${name.key}`;
  return `check that the transit key exists and that the Vault policy grants ${path}`;
}

function vaultFailure(error: VaultRequestError, operation: Operation, name: TransitKeyName, context: EnvelopeContext): EnvelopeError {
  const where = `transit key ${name.mount}/${name.key} for ${describeContext(context)}`;
  const said = error.errors.length > 0 ? error.errors.join('; ') : 'no error text';
  const status = error.status;
  if (status === undefined || status >= 500 || status === 429 || status === 412) {
    const what = status === undefined ? `could not be reached (${said})` : `returned HTTP ${status} (${said})`;
    return new EnvelopeError('provider-unavailable', `Vault ${what} while trying to ${operation} ${where}; exkey retries`, {
      retryable: true,
    });
  }
  const tampered = operation === 'decrypt a data key with' && status === 400 &&
    !/encryption key not found|disallowed by policy|too old/.test(said);
  if (!tampered) {
    return new EnvelopeError(
      'unknown-key',
      `Vault refused to ${operation} ${where} (HTTP ${status}: ${said}); ${remediation(operation, name)}`,
    );
  }
  return new EnvelopeError(
    'tampered',
    `Vault could not decrypt the wrapped data key with ${where} (HTTP ${status}: ${said}): ` +
      'it was altered, or sealed for another Secret or version',
  );
}

// Every failure becomes an EnvelopeError whose message holds no key material: Vault's text is
// redacted by the client, and nothing from the request (ciphertext, data key) is ever included.
async function callVault(
  call: () => Promise<VaultBody>,
  operation: Operation,
  name: TransitKeyName,
  context: EnvelopeContext,
): Promise<VaultBody> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof EnvelopeError) throw error;
    if (error instanceof VaultRequestError) throw vaultFailure(error, operation, name, context);
    const detail = error instanceof Error ? redactVaultText(error.message) : 'unknown error';
    throw new EnvelopeError(
      'provider-unavailable',
      `could not ${operation} transit key ${name.mount}/${name.key} for ${describeContext(context)}: ${detail}; exkey retries`,
      { retryable: true },
    );
  }
}

function providerBug(name: TransitKeyName, what: string): EnvelopeError {
  return new EnvelopeError('provider-unavailable', `Vault transit key ${name.mount}/${name.key} ${what}`, { retryable: false });
}

// Key configs per client and key: read once, shared by every provider built on the same client.
const keyConfigs = new WeakMap<VaultClient, Map<string, Promise<TransitKeyConfig>>>();

function keyConfig(vault: VaultClient, name: TransitKeyName, context: EnvelopeContext): Promise<TransitKeyConfig> {
  let perClient = keyConfigs.get(vault);
  if (perClient === undefined) {
    perClient = new Map();
    keyConfigs.set(vault, perClient);
  }
  const cacheKey = `${name.mount}/${name.key}`;
  const cached = perClient.get(cacheKey);
  if (cached !== undefined) return cached;
  const loading = callVault(() => vault.request('GET', `${name.mount}/keys/${name.key}`), 'read the config of', name, context).then(
    (body) => {
      const data = record(body.data);
      if (typeof data.derived !== 'boolean') throw providerBug(name, 'config has no "derived" flag');
      return { derived: data.derived, type: typeof data.type === 'string' ? data.type : 'unknown' };
    },
  );
  perClient.set(cacheKey, loading);
  // Failures are not cached: the next seal reads again.
  loading.catch(() => perClient.delete(cacheKey));
  return loading;
}

/** Drops cached key configs for `vault` (after a transit key was deleted and re-created). */
export function forgetVaultTransitKeyConfigs(vault: VaultClient): void {
  keyConfigs.delete(vault);
}

function decodeDataKey(body: VaultBody, name: TransitKeyName): { dataKey: Buffer; ciphertext: string } {
  const plaintext = stringField(body, 'plaintext');
  const ciphertext = stringField(body, 'ciphertext');
  if (plaintext === undefined || ciphertext === undefined || !CIPHERTEXT.test(ciphertext)) {
    throw providerBug(name, 'returned a data key response without a plaintext and a vault:v<N>: ciphertext');
  }
  return { dataKey: Buffer.from(plaintext, 'base64'), ciphertext };
}

async function generate(vault: VaultClient, name: TransitKeyName, context: EnvelopeContext): Promise<GeneratedDataKey> {
  assertContext(context, 'context');
  const config = await keyConfig(vault, name, context);
  const body: Record<string, unknown> = { bits: DATA_KEY_BITS };
  if (config.derived) body.context = vaultTransitContext(context);
  let response: VaultBody;
  try {
    response = await callVault(
      () => vault.request('POST', `${name.mount}/datakey/plaintext/${name.key}`, body),
      'generate a data key with',
      name,
      context,
    );
  } catch (error) {
    // The key may have been deleted and re-created with other settings: read its config again next time.
    keyConfigs.get(vault)?.delete(`${name.mount}/${name.key}`);
    throw error;
  }
  const { dataKey, ciphertext } = decodeDataKey(response, name);
  return { dataKey, wrappedKey: Buffer.from(ciphertext, 'utf8'), keyRef: vaultTransitKeyRef(name) };
}

async function unwrap(
  vault: VaultClient,
  allowedMounts: ReadonlySet<string> | undefined,
  wrapped: { wrappedKey: Buffer; keyRef: string },
  context: EnvelopeContext,
): Promise<Buffer> {
  assertContext(context, 'context');
  const name = parseVaultTransitKeyRef(wrapped.keyRef);
  if (allowedMounts !== undefined && !allowedMounts.has(name.mount)) {
    throw new EnvelopeError(
      'unknown-key',
      `envelope for ${describeContext(context)} names transit mount "${name.mount}", which this exkey is not configured to use ` +
        `(allowed: ${[...allowedMounts].join(', ')})`,
    );
  }
  const ciphertext = wrapped.wrappedKey.toString('latin1');
  if (!CIPHERTEXT.test(ciphertext)) {
    throw new EnvelopeError('malformed', `vault-transit wrapped key for ${describeContext(context)} is not a vault:v<N>: ciphertext`);
  }
  const response = await callVault(
    () =>
      vault.request('POST', `${name.mount}/decrypt/${name.key}`, { ciphertext, context: vaultTransitContext(context) }),
    'decrypt a data key with',
    name,
    context,
  );
  const plaintext = stringField(response, 'plaintext');
  if (plaintext === undefined) throw providerBug(name, 'returned a decrypt response without a plaintext');
  return Buffer.from(plaintext, 'base64');
}

export interface VaultTransitUnwrapperOptions {
  readonly vault: VaultClient;
  /**
   * Transit mounts an envelope's keyRef may name. The keyRef is read before the envelope is
   * authenticated, so without this list a forged keyRef can make exkey send a decrypt request to
   * any mount its Vault policy allows; with it, other mounts fail as unknown-key without a call.
   */
  readonly allowedMounts?: readonly string[];
}

/** Opens vault-transit envelopes with any transit key their keyRef names (decrypt-only rights suffice). */
export function createVaultTransitUnwrapper(options: VaultTransitUnwrapperOptions): KeyUnwrapper {
  const allowed = options.allowedMounts === undefined ? undefined : new Set(options.allowedMounts);
  return {
    name: VAULT_TRANSIT_PROVIDER,
    unwrap: (wrappedKey, keyRef, context) => unwrap(options.vault, allowed, { wrappedKey, keyRef }, context),
  };
}

export interface VaultTransitProviderOptions extends VaultTransitUnwrapperOptions {
  /** Transit mount path (spec.secret.encryption.vaultTransit.mount, default `transit`). */
  readonly mount: string;
  /** Transit key name (spec.secret.encryption.vaultTransit.key). */
  readonly key: string;
}

/** Seals with transit key `<mount>/<key>`; opens any vault-transit envelope (see the unwrapper). */
export function createVaultTransitProvider(options: VaultTransitProviderOptions): KeyProvider {
  const name: TransitKeyName = { mount: options.mount, key: options.key };
  vaultTransitKeyRef(name); // validates the names now, not at the first seal
  const unwrapper = createVaultTransitUnwrapper(options);
  return {
    name: VAULT_TRANSIT_PROVIDER,
    generateDataKey: (context) => generate(options.vault, name, context),
    unwrap: (wrappedKey, keyRef, context) => unwrapper.unwrap(wrappedKey, keyRef, context),
  };
}
