// Builds the envelope v1 test vectors from fixed inputs. Run
// `npx node test/unit/crypto/support/generate-vectors.ts` to rewrite test/vectors/envelope-v1/;
// test/unit/crypto/vectors.test.ts fails if the files drift from what this produces.

import { createHash } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeAad, localWrapAad } from '../../../../src/crypto/aad.ts';
import type { EnvelopeContext } from '../../../../src/crypto/context.ts';
import { sealEnvelopeWithRandom } from '../../../../src/crypto/envelope.ts';
import type { EnvelopeErrorKind } from '../../../../src/crypto/errors.ts';
import { createLocalProviderWithRandom } from '../../../../src/crypto/providers/local.ts';
import { VECTOR_DIR, scriptedRandom, type NamedVector, type Vector } from './vectors.ts';

// Fixed "random" bytes: SHA-256 of a label, so anyone can re-derive them.
function fixed(label: string, size = 32): Buffer {
  return createHash('sha256').update(`exkey envelope-v1 test vector: ${label}`).digest().subarray(0, size);
}

const KEY_A = { id: 'c0ffee01', key: fixed('master key A') };
const KEY_B = { id: 'c0ffee02', key: fixed('master key B') };
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const ringJson = (currentId: string, keys: (typeof KEY_A)[]): Vector['masterKeyRing'] => ({
  currentId,
  keys: Object.fromEntries(keys.map((k) => [k.id, b64(k.key)])),
});

interface SealInput {
  context: EnvelopeContext;
  plaintext: Buffer;
  master: typeof KEY_A;
  label: string;
}

async function seal(input: SealInput): Promise<Vector> {
  const dataKey = fixed(`${input.label} data key`);
  const wrapIv = fixed(`${input.label} wrap iv`, 12);
  const iv = fixed(`${input.label} iv`, 12);
  const ring = { currentId: input.master.id, keys: new Map([[input.master.id, input.master.key]]) };
  const provider = createLocalProviderWithRandom(ring, scriptedRandom([dataKey, wrapIv]));
  const envelope = await sealEnvelopeWithRandom(input.plaintext, input.context, provider, scriptedRandom([iv]));
  const parsed = JSON.parse(envelope) as { wrappedKey: string; keyRef: string };
  const binding = { provider: 'local', keyRef: parsed.keyRef, wrappedKey: Buffer.from(parsed.wrappedKey, 'base64') };
  return {
    description: '',
    masterKeyRing: ringJson(input.master.id, [input.master]),
    expectedContext: input.context,
    envelope,
    expect: { outcome: 'open', plaintext: b64(input.plaintext) },
    seal: {
      context: input.context,
      plaintext: b64(input.plaintext),
      masterKeyId: input.master.id,
      masterKey: b64(input.master.key),
      dataKey: b64(dataKey),
      wrapIv: b64(wrapIv),
      iv: b64(iv),
    },
    intermediate: {
      localWrapAad: localWrapAad(input.context, input.master.id).toString('hex'),
      envelopeAad: envelopeAad(input.context, binding).toString('hex'),
    },
  };
}

type Fields = Record<string, unknown>;

// A negative vector: the base envelope with `edit` applied to its fields (or to its text).
function negative(base: Vector, description: string, error: EnvelopeErrorKind, edit: (fields: Fields) => Fields | string): Vector {
  const edited = edit(JSON.parse(base.envelope) as Fields);
  return {
    description,
    masterKeyRing: base.masterKeyRing,
    expectedContext: base.expectedContext,
    envelope: typeof edited === 'string' ? edited : JSON.stringify(edited),
    expect: { outcome: 'fail', error },
  };
}

// Flips one bit of byte `index` (negative: from the end) of a base64 field.
function flip(fields: Fields, field: string, index: number): Fields {
  const bytes = Buffer.from(fields[field] as string, 'base64');
  bytes[index < 0 ? bytes.length + index : index]! ^= 0x01;
  return { ...fields, [field]: bytes.toString('base64') };
}

const CONTEXT = { namespace: 'trading', name: 'bybit-mm-key', version: 3 };
const CREDENTIALS = Buffer.from('{"apiKey":"XKTESTKEY0001","apiSecret":"test-only-not-a-real-secret"}');
const BINARY = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) % 256));

function describe(vector: Vector, description: string): Vector {
  return { ...vector, description };
}

async function positives(): Promise<Record<string, Vector>> {
  const basic = await seal({ context: CONTEXT, plaintext: CREDENTIALS, master: KEY_A, label: 'basic' });
  const empty = await seal({ context: { ...CONTEXT, version: 1 }, plaintext: Buffer.alloc(0), master: KEY_A, label: 'empty' });
  const binary = await seal({
    context: { namespace: `ns-${'x'.repeat(57)}-9`, name: 'okx.sub-account-7.api-key', version: 0xffff_ffff },
    plaintext: BINARY,
    master: KEY_B,
    label: 'binary',
  });
  const utf8 = await seal({ context: { ...CONTEXT, name: 'deribit-key', version: 12 }, plaintext: Buffer.from('clé secrète: ключ 🔑'), master: KEY_A, label: 'utf8' });
  return {
    'pos-basic': describe(basic, 'Credentials JSON sealed under master key c0ffee01; opens to the plaintext.'),
    'pos-empty-plaintext': describe(empty, 'Empty plaintext: ct is the empty string; the tag still authenticates the binding.'),
    'pos-binary-long-names': describe(binary, '1000 bytes of binary plaintext (not a multiple of 16), a 63-char namespace, a dotted name and the largest version 4294967295.'),
    'pos-utf8-plaintext': describe(utf8, 'Multi-byte UTF-8 plaintext; the envelope treats plaintext as opaque bytes.'),
    'pos-old-master-key': {
      ...describe(basic, 'Sealed under c0ffee01; the ring has since rotated to current c0ffee02 but keeps c0ffee01, which still unwraps.'),
      masterKeyRing: ringJson(KEY_B.id, [KEY_A, KEY_B]),
    },
  };
}

// The same context sealed again: under another data key (swap), and the same data key re-wrapped under B.
async function relatives(): Promise<{ other: Fields; rewrapped: Fields }> {
  const other = await seal({ context: CONTEXT, plaintext: CREDENTIALS, master: KEY_A, label: 'other' });
  const ring = { currentId: KEY_B.id, keys: new Map([[KEY_B.id, KEY_B.key]]) };
  const provider = createLocalProviderWithRandom(ring, scriptedRandom([fixed('basic data key'), fixed('rewrap iv', 12)]));
  const rewrapped = await sealEnvelopeWithRandom(CREDENTIALS, CONTEXT, provider, scriptedRandom([fixed('basic iv', 12)]));
  return { other: JSON.parse(other.envelope) as Fields, rewrapped: JSON.parse(rewrapped) as Fields };
}

/** Every vector, keyed by file name without `.json`. */
export async function buildVectors(): Promise<NamedVector[]> {
  const pos = await positives();
  const basic = pos['pos-basic']!;
  const { other, rewrapped } = await relatives();
  const both = ringJson(KEY_A.id, [KEY_A, KEY_B]);
  const moved = (field: string, value: unknown, expected: EnvelopeContext): Vector => ({
    ...negative(basic, `Envelope moved: clear "${field}" rewritten to match the opener's expectation; the AADs still name the original.`, 'tampered', (f) => ({ ...f, [field]: value })),
    expectedContext: expected,
  });
  const neg: Record<string, Vector> = {
    'neg-tampered-ct': negative(basic, 'One bit of ct flipped.', 'tampered', (f) => flip(f, 'ct', 0)),
    'neg-tampered-tag': negative(basic, 'One bit of the last tag byte flipped.', 'tampered', (f) => flip(f, 'tag', -1)),
    'neg-tampered-iv': negative(basic, 'One bit of iv flipped.', 'tampered', (f) => flip(f, 'iv', 5)),
    'neg-tampered-wrapped-key': negative(basic, 'One bit of the encrypted data key inside wrappedKey flipped.', 'tampered', (f) => flip(f, 'wrappedKey', 20)),
    'neg-tampered-wrapped-key-tag': negative(basic, 'One bit of the wrapping tag (last byte of wrappedKey) flipped.', 'tampered', (f) => flip(f, 'wrappedKey', -1)),
    'neg-keyref-other-known-key': { ...negative(basic, 'keyRef points at another master key that is in the ring: unwrapping under it fails.', 'tampered', (f) => ({ ...f, keyRef: 'local:c0ffee02' })), masterKeyRing: both },
    'neg-keyref-unknown-key': negative(basic, 'keyRef names a master key id that is not in the ring.', 'unknown-key', (f) => ({ ...f, keyRef: 'local:deadbeef' })),
    'neg-keyref-bad-syntax': negative(basic, 'keyRef is not of the form local:<id> for the local provider.', 'malformed', (f) => ({ ...f, keyRef: 'vault:c0ffee01' })),
    'neg-provider-unknown': negative(basic, 'provider names a provider the opener has not configured.', 'unknown-key', (f) => ({ ...f, provider: 'aws-kms' })),
    'neg-wrapped-key-swapped': negative(basic, 'wrappedKey taken from another envelope sealed for the same context (another data key).', 'tampered', (f) => ({ ...f, wrappedKey: other.wrappedKey })),
    'neg-wrapped-key-rewrapped': { ...negative(basic, 'The same data key re-wrapped under c0ffee02 for the same context: it unwraps to the right data key, but the data AAD binds the original keyRef and wrappedKey.', 'tampered', (f) => ({ ...f, keyRef: rewrapped.keyRef, wrappedKey: rewrapped.wrappedKey })), masterKeyRing: both },
    'neg-old-key-dropped': { ...negative(basic, 'Sealed under c0ffee01, but the ring no longer holds it.', 'unknown-key', (f) => f), masterKeyRing: ringJson(KEY_B.id, [KEY_B]) },
    'neg-ring-key-replaced': { ...negative(basic, 'The ring holds different key bytes under the id c0ffee01.', 'tampered', (f) => f), masterKeyRing: ringJson(KEY_A.id, [{ id: KEY_A.id, key: KEY_B.key }]) },
    'neg-clear-namespace-changed': negative(basic, 'Clear ns differs from the expected namespace: rejected before any decryption.', 'context-mismatch', (f) => ({ ...f, ns: 'research' })),
    'neg-clear-name-changed': negative(basic, 'Clear name differs from the expected name.', 'context-mismatch', (f) => ({ ...f, name: 'okx-mm-key' })),
    'neg-clear-version-changed': negative(basic, 'Clear version differs from the expected version.', 'context-mismatch', (f) => ({ ...f, version: 4 })),
    'neg-expected-other-version': { ...negative(basic, 'Untouched envelope for version 3 opened where version 4 is expected.', 'context-mismatch', (f) => f), expectedContext: { ...CONTEXT, version: 4 } },
    'neg-moved-namespace': moved('ns', 'research', { ...CONTEXT, namespace: 'research' }),
    'neg-moved-name': moved('name', 'okx-mm-key', { ...CONTEXT, name: 'okx-mm-key' }),
    'neg-moved-version': moved('version', 2, { ...CONTEXT, version: 2 }),
    'neg-format-version-2': negative(basic, 'v is 2: a format this reader does not implement.', 'unsupported-version', (f) => ({ ...f, v: 2 })),
    'neg-alg-changed': negative(basic, 'alg is not A256GCM.', 'malformed', (f) => ({ ...f, alg: 'A128GCM' })),
    'neg-not-json': negative(basic, 'The envelope text is cut short: not JSON.', 'malformed', () => basic.envelope.slice(0, 40)),
    'neg-not-object': negative(basic, 'Valid JSON but an array, not an object.', 'malformed', () => '[1]'),
    'neg-unknown-field': negative(basic, 'An extra field: v1 has an exact field set.', 'malformed', (f) => ({ ...f, note: 'hello' })),
    'neg-missing-tag': negative(basic, 'The tag field is absent.', 'malformed', ({ tag: _tag, ...rest }) => rest),
    'neg-version-string': negative(basic, 'version is a JSON string, not a number.', 'malformed', (f) => ({ ...f, version: '3' })),
    'neg-tag-short': negative(basic, 'tag decodes to 15 bytes.', 'malformed', (f) => ({ ...f, tag: Buffer.from(f.tag as string, 'base64').subarray(0, 15).toString('base64') })),
    'neg-base64-unpadded': negative(basic, 'tag without its "==" padding.', 'malformed', (f) => ({ ...f, tag: (f.tag as string).replace(/=+$/, '') })),
    'neg-base64-noncanonical': negative(basic, 'tag with non-zero unused bits in its last base64 character (decodes to the same bytes leniently).', 'malformed', (f) => ({ ...f, tag: noncanonical(f.tag as string) })),
  };
  return Object.entries({ ...pos, ...neg }).map(([name, vector]) => ({ name, vector }));
}

// "xxA==" and "xxB==" decode to the same bytes with a lenient decoder; only the first is canonical.
function noncanonical(padded: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = padded.length - 3;
  const value = alphabet.indexOf(padded[last]!);
  return padded.slice(0, last) + alphabet[value ^ 0x01]! + padded.slice(last + 1);
}

/** The file text of a vector: 2-space JSON and a final newline. */
export function vectorText(vector: Vector): string {
  return `${JSON.stringify(vector, null, 2)}\n`;
}

if (import.meta.main) {
  for (const file of readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.json'))) {
    rmSync(join(VECTOR_DIR, file));
  }
  const vectors = await buildVectors();
  for (const { name, vector } of vectors) {
    writeFileSync(join(VECTOR_DIR, `${name}.json`), vectorText(vector));
  }
  console.log(`wrote ${vectors.length} vectors to ${VECTOR_DIR}`);
}
