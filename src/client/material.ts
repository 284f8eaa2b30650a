// Turns one version's files into credentials: opens the envelope (bound to this Secret and the
// version announced in clear) or reads the plain files of an `encryption: none` Secret.
import { MAX_KEY_VERSION, openEnvelope, type ProviderLookup } from '../crypto/index.ts';
import { KeyVolumeError } from './errors.ts';
import type { ExchangeKeyCredentials } from './types.ts';
import { PREVIOUS_PREFIX, type VersionSlot, type VolumeSnapshot } from './volume.ts';

/** What a version is checked against. */
export interface Binding {
  readonly namespace: string;
  readonly secretName: string;
  readonly providers: ProviderLookup;
  readonly requireEnvelope: boolean;
}

const OPTIONAL_FIELDS = ['apiSecret', 'passphrase', 'privateKey'] as const;

function slotName(slot: VersionSlot): string {
  return slot === PREVIOUS_PREFIX ? 'the outgoing version (previous.*)' : 'the current version';
}

/** True when the snapshot holds any file of `slot`. */
export function hasSlot(snapshot: VolumeSnapshot, slot: VersionSlot): boolean {
  return [...snapshot.files.keys()].some((key) => (slot === '' ? !key.startsWith(PREVIOUS_PREFIX) : key.startsWith(slot)));
}

/** The version announced in clear by `slot`'s version file; throws KeyVolumeError. */
export function versionOf(snapshot: VolumeSnapshot, slot: VersionSlot): number {
  const file = `${slot}version`;
  const content = snapshot.files.get(file);
  if (content === undefined) {
    throw new KeyVolumeError('missing', `no "${file}" file in ${snapshot.dir}: is the exkey Secret mounted there?`);
  }
  const text = content.toString('utf8').trim();
  const version = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(version) || version < 1 || version > MAX_KEY_VERSION) {
    // The content is not echoed: a file that is not a version could hold anything.
    throw new KeyVolumeError('invalid', `"${file}" in ${snapshot.dir} is not a key version (an integer in 1..${MAX_KEY_VERSION})`);
  }
  return version;
}

function field(value: unknown, name: string, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new KeyVolumeError('invalid', `${where}: field "${name}" is not a string`);
  return value;
}

function credentials(version: number, source: Record<string, unknown>, where: string): ExchangeKeyCredentials {
  const apiKey = field(source.apiKey, 'apiKey', where);
  if (apiKey === undefined || apiKey === '') throw new KeyVolumeError('invalid', `${where} has no apiKey`);
  const result: { -readonly [K in keyof ExchangeKeyCredentials]: ExchangeKeyCredentials[K] } = { version, apiKey };
  for (const name of OPTIONAL_FIELDS) {
    const value = field(source[name], name, where);
    if (value !== undefined) result[name] = value;
  }
  return Object.freeze(result);
}

function parseMaterial(plaintext: Buffer, version: number, where: string): ExchangeKeyCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext.toString('utf8'));
  } catch {
    // The parser's message quotes the plaintext: keep it out.
    throw new KeyVolumeError('invalid', `${where}: the envelope's plaintext is not JSON key material`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KeyVolumeError('invalid', `${where}: the envelope's plaintext is not a JSON object`);
  }
  const material = parsed as Record<string, unknown>;
  if (material.version !== version) {
    throw new KeyVolumeError('invalid', `${where}: the envelope's key material is not for version ${version}`);
  }
  return credentials(version, material, where);
}

function plainFiles(snapshot: VolumeSnapshot, slot: VersionSlot): Record<string, unknown> {
  const source: Record<string, unknown> = {};
  for (const name of ['apiKey', ...OPTIONAL_FIELDS]) {
    source[name] = snapshot.files.get(slot + name)?.toString('utf8');
  }
  return source;
}

/**
 * Opens `slot`'s version: the envelope must be bound to namespace/secretName and the version in
 * the clear `version` file. Throws EnvelopeError (the envelope) or KeyVolumeError (the files).
 */
export async function openSlot(snapshot: VolumeSnapshot, slot: VersionSlot, binding: Binding): Promise<ExchangeKeyCredentials> {
  const version = versionOf(snapshot, slot);
  const where = `${slotName(slot)} (${version}) of Secret ${binding.namespace}/${binding.secretName} in ${snapshot.dir}`;
  const envelope = snapshot.files.get(`${slot}envelope`);
  if (envelope === undefined) {
    if (binding.requireEnvelope) {
      throw new KeyVolumeError('invalid', `${where} holds plain files, and only envelopes are accepted (requireEnvelope)`);
    }
    return credentials(version, plainFiles(snapshot, slot), where);
  }
  const context = { namespace: binding.namespace, name: binding.secretName, version };
  const plaintext = await openEnvelope(envelope, context, binding.providers);
  try {
    return parseMaterial(plaintext, version, where);
  } finally {
    plaintext.fill(0);
  }
}
