// Key material as stored in exkey's Secrets, and the two layouts it can take: plain data keys
// (encryption "none") or one envelope (any provider). Layout is API for consumers: documented in
// docs/secret-format.md.
import type { V1Secret } from '@kubernetes/client-node';
import { openEnvelope, sealEnvelope, type EnvelopeContext } from '../../crypto/index.ts';
import type { EncryptionProviders, EncryptionSettings } from '../encryption/providers.ts';
import type { Credentials } from '../../exchanges/types.ts';
import { ANNOTATION_EXCHANGE } from '../../api/v1alpha1/index.ts';

/** One key version's material. Never logged, never put in status or Events. */
export interface KeyMaterial {
  version: number;
  exchange: string;
  apiKey: string;
  apiSecret?: string;
  passphrase?: string;
  privateKey?: string;
  createdAt: string;
  expiresAt?: string;
}

/** Data key that holds the envelope when the Secret is encrypted. */
export const DATA_ENVELOPE = 'envelope';
/** Data key that holds the version in clear, so consumers can tell versions apart cheaply. */
export const DATA_VERSION = 'version';

const PLAIN_FIELDS = ['apiKey', 'apiSecret', 'passphrase', 'privateKey'] as const;

/**
 * During a rotation the Secret also carries the outgoing version under `previous.<key>`, so
 * hot-reloading consumers can fall back while both keys are valid. An envelope moves as is: it is
 * bound to this Secret's namespace, name and its own version, all of which still hold.
 */
export const PREVIOUS_PREFIX = 'previous.';

/** The current entries of `data`, renamed to previous.<key>. */
export function asPrevious(data: Readonly<Record<string, string>>): Record<string, string> {
  const previous: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith(PREVIOUS_PREFIX)) previous[`${PREVIOUS_PREFIX}${key}`] = value;
  }
  return previous;
}

/** Only the previous.<key> entries of `data`. */
export function previousEntries(data: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => key.startsWith(PREVIOUS_PREFIX)));
}

/** `data` without its previous.<key> entries. */
export function withoutPrevious(data: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith(PREVIOUS_PREFIX)));
}

/** True when `data` still carries an outgoing version. */
export function hasPrevious(data: Readonly<Record<string, string>> | undefined): boolean {
  return Object.keys(data ?? {}).some((key) => key.startsWith(PREVIOUS_PREFIX));
}

/** Secret `data` (base64 values) for this material under the given settings (provider "none" = plain). */
export async function encodeMaterial(
  material: KeyMaterial,
  settings: EncryptionSettings,
  context: EnvelopeContext,
  providers: EncryptionProviders,
): Promise<Record<string, string>> {
  const data: Record<string, string> = { [DATA_VERSION]: b64(String(material.version)) };
  if (settings.provider === 'none') {
    for (const field of PLAIN_FIELDS) {
      const value = material[field];
      if (value !== undefined) data[field] = b64(value);
    }
    return data;
  }
  const sealer = await providers.sealer(settings);
  const envelope = await sealEnvelope(Buffer.from(JSON.stringify(material)), context, sealer);
  data[DATA_ENVELOPE] = b64(envelope);
  return data;
}

/** Reads the material back from a Secret written by encodeMaterial; throws EnvelopeError if tampered. */
export async function decodeMaterial(
  secret: V1Secret,
  context: EnvelopeContext,
  providers: EncryptionProviders,
): Promise<KeyMaterial> {
  const data = secret.data ?? {};
  const envelope = data[DATA_ENVELOPE];
  if (envelope !== undefined) {
    const plaintext = await openEnvelope(Buffer.from(envelope, 'base64'), context, await providers.lookup());
    try {
      return JSON.parse(plaintext.toString('utf8')) as KeyMaterial;
    } finally {
      plaintext.fill(0);
    }
  }
  return plainMaterial(secret, context);
}

function plainMaterial(secret: V1Secret, context: EnvelopeContext): KeyMaterial {
  const data = secret.data ?? {};
  const field = (name: string): string | undefined => (data[name] === undefined ? undefined : unb64(data[name]));
  const material: KeyMaterial = {
    version: Number(field(DATA_VERSION) ?? context.version),
    exchange: secret.metadata?.annotations?.[ANNOTATION_EXCHANGE] ?? '',
    apiKey: field('apiKey') ?? '',
    createdAt: secret.metadata?.creationTimestamp?.toString() ?? '',
  };
  for (const name of ['apiSecret', 'passphrase', 'privateKey'] as const) {
    const value = field(name);
    if (value !== undefined) material[name] = value;
  }
  return material;
}

/** The credentials that sign requests with this key version. */
export function credentialsOf(material: KeyMaterial): Credentials {
  const creds: Credentials = { keyId: material.apiKey };
  if (material.apiSecret !== undefined) creds.secret = material.apiSecret;
  if (material.passphrase !== undefined) creds.passphrase = material.passphrase;
  if (material.privateKey !== undefined) creds.privateKey = material.privateKey;
  return creds;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function unb64(text: string | undefined): string {
  return Buffer.from(text ?? '', 'base64').toString('utf8');
}
