// The serialized form of envelope v1: compact JSON with a fixed field set. Parsing is strict
// (exact field set, canonical base64, exact lengths) because every field is authenticated and a
// lenient reader would accept envelopes that other implementations reject.

import { ALGORITHM, FORMAT_VERSION } from './aad.ts';
import { IV_BYTES, TAG_BYTES } from './aes-gcm.ts';
import { fromBase64Strict, toBase64 } from './base64.ts';
import { contextProblem, type EnvelopeContext } from './context.ts';
import { EnvelopeError } from './errors.ts';

/** The clear, unauthenticated part of an envelope: enough to pick a provider and an expected context. */
export interface EnvelopeHeader {
  readonly v: typeof FORMAT_VERSION;
  readonly provider: string;
  readonly keyRef: string;
  /** What the envelope claims to belong to. Authenticated only when opened with it as the expected context. */
  readonly context: EnvelopeContext;
}

/** A parsed v1 envelope. */
export interface EnvelopeV1 extends EnvelopeHeader {
  readonly wrappedKey: Buffer;
  readonly iv: Buffer;
  readonly ct: Buffer;
  readonly tag: Buffer;
}

/** Largest wrapped key accepted (a KMS ciphertext blob is ~200 bytes, a local one 60). */
export const MAX_WRAPPED_KEY_BYTES = 4096;
/** Provider names: short lowercase identifiers such as `local`, `aws-kms`, `vault-transit`. */
export const PROVIDER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Key references: 1-2048 printable ASCII characters, no spaces (ARNs, Vault paths, `local:<id>`). */
export const KEY_REF = /^[\x21-\x7e]{1,2048}$/;

const FIELDS = ['v', 'alg', 'provider', 'keyRef', 'ns', 'name', 'version', 'wrappedKey', 'iv', 'ct', 'tag'];

function malformed(message: string): EnvelopeError {
  return new EnvelopeError('malformed', `malformed envelope: ${message}`);
}

/** Serializes a v1 envelope as compact JSON, fields in the documented order. */
export function serializeEnvelope(envelope: EnvelopeV1): string {
  return JSON.stringify({
    v: FORMAT_VERSION,
    alg: ALGORITHM,
    provider: envelope.provider,
    keyRef: envelope.keyRef,
    ns: envelope.context.namespace,
    name: envelope.context.name,
    version: envelope.context.version,
    wrappedKey: toBase64(envelope.wrappedKey),
    iv: toBase64(envelope.iv),
    ct: toBase64(envelope.ct),
    tag: toBase64(envelope.tag),
  });
}

function decodeText(input: string | Uint8Array): string {
  if (typeof input === 'string') {
    return input;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw malformed('not valid UTF-8');
  }
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which may be anything: keep it out.
    throw malformed('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed('not a JSON object');
  }
  return value as Record<string, unknown>;
}

// Checked before the field set, so a future version with other fields reports its version.
function checkFormatVersion(raw: Record<string, unknown>): void {
  const v = raw.v;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw malformed('field "v" (format version) must be an integer');
  }
  if (v !== FORMAT_VERSION) {
    throw new EnvelopeError(
      'unsupported-version',
      `envelope format version ${v} is not supported by this reader (it reads version ${FORMAT_VERSION}); upgrade the reader`,
    );
  }
}

function checkFieldSet(raw: Record<string, unknown>): void {
  const unknown = Object.keys(raw).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0) {
    // Field names are attacker-chosen: report how many, not what they say.
    throw malformed(`${unknown.length} unknown field(s); v1 has exactly: ${FIELDS.join(', ')}`);
  }
  const missing = FIELDS.filter((key) => !(key in raw));
  if (missing.length > 0) {
    throw malformed(`missing field(s): ${missing.join(', ')}`);
  }
}

function textField(raw: Record<string, unknown>, field: string, shape: RegExp, rule: string): string {
  const value = raw[field];
  if (typeof value !== 'string' || !shape.test(value)) {
    throw malformed(`field "${field}" must be ${rule}`);
  }
  return value;
}

function bytesField(raw: Record<string, unknown>, field: string, min: number, max: number): Buffer {
  const value = raw[field];
  const bytes = typeof value === 'string' ? fromBase64Strict(value) : undefined;
  if (bytes === undefined) {
    throw malformed(`field "${field}" must be standard padded base64`);
  }
  if (bytes.length < min || bytes.length > max) {
    const expected = min === max ? `${min}` : `${min}..${max}`;
    throw malformed(`field "${field}" decodes to ${bytes.length} bytes, expected ${expected}`);
  }
  return bytes;
}

function contextFields(raw: Record<string, unknown>): EnvelopeContext {
  const context = { namespace: raw.ns, name: raw.name, version: raw.version } as EnvelopeContext;
  const problem = contextProblem(context);
  if (problem !== undefined) {
    throw malformed(`context fields (ns, name, version): ${problem}`);
  }
  return context;
}

/** Parses and validates a serialized envelope without any key; throws EnvelopeError (malformed, unsupported-version). */
export function parseEnvelope(input: string | Uint8Array): EnvelopeV1 {
  const raw = parseObject(decodeText(input));
  checkFormatVersion(raw);
  checkFieldSet(raw);
  if (raw.alg !== ALGORITHM) {
    throw malformed(`field "alg" must be "${ALGORITHM}" in format version ${FORMAT_VERSION}`);
  }
  return {
    v: FORMAT_VERSION,
    provider: textField(raw, 'provider', PROVIDER_NAME, 'a provider name (lowercase letters, digits, -)'),
    keyRef: textField(raw, 'keyRef', KEY_REF, '1-2048 printable ASCII characters'),
    context: contextFields(raw),
    wrappedKey: bytesField(raw, 'wrappedKey', 1, MAX_WRAPPED_KEY_BYTES),
    iv: bytesField(raw, 'iv', IV_BYTES, IV_BYTES),
    ct: bytesField(raw, 'ct', 0, Number.MAX_SAFE_INTEGER),
    tag: bytesField(raw, 'tag', TAG_BYTES, TAG_BYTES),
  };
}

/** The envelope's clear header (provider, keyRef, claimed context), e.g. to choose the expected version; proves nothing. */
export function inspectEnvelope(input: string | Uint8Array): EnvelopeHeader {
  const { v, provider, keyRef, context } = parseEnvelope(input);
  return { v, provider, keyRef, context };
}
