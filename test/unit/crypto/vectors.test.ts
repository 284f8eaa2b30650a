// The TypeScript implementation against every envelope v1 test vector, and the vector files
// against the generator (so a vector cannot be hand-edited into disagreement with the code).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelopeAad, localWrapAad } from '../../../src/crypto/aad.ts';
import { openEnvelope, sealEnvelopeWithRandom } from '../../../src/crypto/envelope.ts';
import { EnvelopeError, type EnvelopeErrorKind } from '../../../src/crypto/errors.ts';
import { createLocalProvider, createLocalProviderWithRandom } from '../../../src/crypto/providers/local.ts';
import { providersByName } from '../../../src/crypto/providers/types.ts';
import { buildVectors, vectorText } from './support/generate-vectors.ts';
import { VECTOR_DIR, loadVectors, ringOf, scriptedRandom, type Vector } from './support/vectors.ts';

const vectors = loadVectors();
const positive = vectors.filter((v) => v.vector.expect.outcome === 'open');
const negative = vectors.filter((v) => v.vector.expect.outcome === 'fail');

function open(vector: Vector): Promise<Buffer> {
  return openEnvelope(vector.envelope, vector.expectedContext, providersByName([createLocalProvider(ringOf(vector))]));
}

describe('envelope v1 test vectors', () => {
  it('should hold positive and negative vectors covering every failure kind when loaded', () => {
    expect(positive.length).toBeGreaterThanOrEqual(5);
    const kinds = new Set(negative.map((v) => (v.vector.expect.outcome === 'fail' ? v.vector.expect.error : '')));
    const expected: EnvelopeErrorKind[] = ['malformed', 'unsupported-version', 'context-mismatch', 'tampered', 'unknown-key'];
    expect([...kinds].sort()).toEqual(expected.sort());
  });

  it('should equal the generator output byte for byte when the vectors are rebuilt', async () => {
    const built = await buildVectors();
    expect(built.map((v) => v.name).sort()).toEqual(vectors.map((v) => v.name).sort());
    for (const { name, vector } of built) {
      expect(readFileSync(join(VECTOR_DIR, `${name}.json`), 'utf8'), name).toBe(vectorText(vector));
    }
  });

  it.each(positive)('should open $name to the expected plaintext when the ring and context match', async ({ vector }) => {
    const plaintext = await open(vector);
    expect(vector.expect.outcome).toBe('open');
    if (vector.expect.outcome === 'open') {
      expect(plaintext.toString('base64')).toBe(vector.expect.plaintext);
    }
  });

  it.each(positive)('should reproduce $name byte for byte when sealed with its recorded randomness', async ({ vector }) => {
    const seal = vector.seal!;
    const ring = { currentId: seal.masterKeyId, keys: new Map([[seal.masterKeyId, Buffer.from(seal.masterKey, 'base64')]]) };
    const provider = createLocalProviderWithRandom(
      ring,
      scriptedRandom([Buffer.from(seal.dataKey, 'base64'), Buffer.from(seal.wrapIv, 'base64')]),
    );
    const plaintext = Buffer.from(seal.plaintext, 'base64');
    const envelope = await sealEnvelopeWithRandom(plaintext, seal.context, provider, scriptedRandom([Buffer.from(seal.iv, 'base64')]));
    expect(envelope).toBe(vector.envelope);
  });

  it.each(positive)('should derive the recorded associated data for $name when encoding its context', ({ vector }) => {
    const seal = vector.seal!;
    const fields = JSON.parse(vector.envelope) as { keyRef: string; wrappedKey: string };
    const binding = { provider: 'local', keyRef: fields.keyRef, wrappedKey: Buffer.from(fields.wrappedKey, 'base64') };
    expect(localWrapAad(seal.context, seal.masterKeyId).toString('hex')).toBe(vector.intermediate!.localWrapAad);
    expect(envelopeAad(seal.context, binding).toString('hex')).toBe(vector.intermediate!.envelopeAad);
  });

  it.each(negative)('should fail $name with the expected kind when opened', async ({ vector }) => {
    const error = await open(vector).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(vector.expect.outcome === 'fail' && (error as EnvelopeError).kind).toBe(
      vector.expect.outcome === 'fail' ? vector.expect.error : 'n/a',
    );
  });
});
