// Shared by the vector generator and the tests: the vector file shape, loading, and the scripted
// randomness that makes sealing reproducible.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvelopeContext } from '../../../../src/crypto/context.ts';
import type { EnvelopeErrorKind } from '../../../../src/crypto/errors.ts';
import type { MasterKeyRing } from '../../../../src/crypto/master-key-ring.ts';
import type { RandomSource } from '../../../../src/crypto/random.ts';

/** Where the envelope v1 vectors live. */
export const VECTOR_DIR = join(import.meta.dirname, '../../../vectors/envelope-v1');

/** One test vector file (documented in docs/envelope-format.md, "Test vectors"). */
export interface Vector {
  description: string;
  /** The opener's master key ring: ids to base64 keys, and which one is current. */
  masterKeyRing: { currentId: string; keys: Record<string, string> };
  /** What the opener expects the envelope to belong to. */
  expectedContext: EnvelopeContext;
  /** The serialized envelope, exactly as it would sit in a Secret. */
  envelope: string;
  expect: { outcome: 'open'; plaintext: string } | { outcome: 'fail'; error: EnvelopeErrorKind };
  /** Positive vectors: every input of the seal, so a writer can reproduce `envelope` byte for byte. */
  seal?: {
    context: EnvelopeContext;
    plaintext: string;
    masterKeyId: string;
    masterKey: string;
    dataKey: string;
    wrapIv: string;
    iv: string;
  };
  /** Positive vectors: the two associated-data byte strings, hex, for debugging an implementation. */
  intermediate?: { localWrapAad: string; envelopeAad: string };
}

/** A named vector, the name being the file name without `.json`. */
export interface NamedVector {
  name: string;
  vector: Vector;
}

/** Reads every vector file, sorted by name. */
export function loadVectors(dir: string = VECTOR_DIR): NamedVector[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.json'.length),
      vector: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Vector,
    }));
}

/** The ring a vector describes. */
export function ringOf(vector: Vector): MasterKeyRing {
  const keys = new Map(Object.entries(vector.masterKeyRing.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
  return { currentId: vector.masterKeyRing.currentId, keys };
}

/** A RandomSource that hands out the given buffers (copies) in order and fails on any surprise. */
export function scriptedRandom(outputs: readonly Uint8Array[]): RandomSource {
  const queue = [...outputs];
  return (size) => {
    const next = queue.shift();
    if (next?.length !== size) {
      throw new Error(`scripted random: asked for ${size} bytes, script has ${next === undefined ? 'nothing' : `${next.length} bytes`}`);
    }
    return Buffer.from(next);
  };
}
