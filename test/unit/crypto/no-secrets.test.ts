// Error messages reach logs, Events and status conditions: none may carry key material or plaintext.

import { describe, expect, it } from 'vitest';
import { openEnvelope, sealEnvelope } from '../../../src/crypto/envelope.ts';
import { EnvelopeError } from '../../../src/crypto/errors.ts';
import { parseMasterKeyRing } from '../../../src/crypto/master-key-ring.ts';
import { createLocalProvider } from '../../../src/crypto/providers/local.ts';
import { providersByName, type KeyProvider } from '../../../src/crypto/providers/types.ts';
import { CONTEXT, PLAINTEXT, editEnvelope, failure, flipBit } from './support/fixtures.ts';
import { loadVectors, ringOf } from './support/vectors.ts';

const MASTER = Buffer.from('6d61737465722d6b65792d6d61737465722d6b65792d6d61737465722d6b6579', 'hex');

// Every spelling in which a secret could leak: raw hex, base64 (with and without padding), prefixes.
function spellings(secret: Buffer): string[] {
  const hex = secret.toString('hex');
  const b64 = secret.toString('base64');
  return [hex, hex.slice(0, 16), b64, b64.replace(/=+$/, ''), b64.slice(0, 12), secret.toString('base64url').slice(0, 12)];
}

function expectClean(error: EnvelopeError, secrets: Buffer[]): void {
  const rendered = [error.message, String(error), JSON.stringify(error), error.stack ?? ''].join('\n');
  for (const secret of secrets) {
    for (const spelling of spellings(secret)) {
      expect(rendered).not.toContain(spelling);
    }
  }
  expect(rendered).not.toContain('test-only-not-a-real-secret');
}

// A local provider over MASTER that records a copy of every data key it hands out.
function recordingProvider(seen: Buffer[]): KeyProvider {
  const local = createLocalProvider({ currentId: 'c0ffee01', keys: new Map([['c0ffee01', MASTER]]) });
  return {
    name: 'local',
    generateDataKey: async (context) => {
      const generated = await local.generateDataKey(context);
      seen.push(Buffer.from(generated.dataKey));
      return generated;
    },
    unwrap: (wrappedKey, keyRef, context) => local.unwrap(wrappedKey, keyRef, context),
  };
}

describe('error messages', () => {
  const scenarios: { what: string; alter: (envelope: string) => string; expected?: typeof CONTEXT }[] = [
    { what: 'ct is altered', alter: (e) => flipBit(e, 'ct') },
    { what: 'the tag is altered', alter: (e) => flipBit(e, 'tag') },
    { what: 'the wrapped key is altered', alter: (e) => flipBit(e, 'wrappedKey', 20) },
    { what: 'the wrapped key is truncated', alter: (e) => editEnvelope(e, (f) => ({ ...f, wrappedKey: (f.wrappedKey as string).slice(0, 44) })) },
    { what: 'the keyRef is unknown', alter: (e) => editEnvelope(e, (f) => ({ ...f, keyRef: 'local:deadbeef' })) },
    { what: 'the provider is unknown', alter: (e) => editEnvelope(e, (f) => ({ ...f, provider: 'aws-kms' })) },
    { what: 'the envelope is moved', alter: (e) => e, expected: { ...CONTEXT, version: 9 } },
    { what: 'the envelope is moved with its clear fields', alter: (e) => editEnvelope(e, (f) => ({ ...f, version: 9 })), expected: { ...CONTEXT, version: 9 } },
    { what: 'the JSON is cut short', alter: (e) => e.slice(0, e.length / 2) },
    { what: 'unknown fields carry the plaintext', alter: (e) => editEnvelope(e, (f) => ({ ...f, [PLAINTEXT.toString('base64')]: 1 })) },
    { what: 'a field holds the plaintext', alter: (e) => editEnvelope(e, (f) => ({ ...f, keyRef: PLAINTEXT.toString('utf8') })) },
  ];

  it.each(scenarios)('should carry no key material or plaintext when $what', async ({ alter, expected }) => {
    const seen: Buffer[] = [];
    const provider = recordingProvider(seen);
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, provider);
    const error = await failure(openEnvelope(alter(envelope), expected ?? CONTEXT, providersByName([provider])));
    expect(seen).toHaveLength(1);
    expectClean(error, [MASTER, ...seen, PLAINTEXT]);
  });

  it.each(loadVectors().filter((v) => v.vector.expect.outcome === 'fail'))(
    'should carry no key material when negative vector $name fails',
    async ({ vector }) => {
      const base = loadVectors().find((v) => v.name === 'pos-basic')!.vector;
      const secrets = [...ringOf(vector).keys.values(), Buffer.from(base.seal!.dataKey, 'base64'), Buffer.from(base.seal!.plaintext, 'base64')];
      const lookup = providersByName([createLocalProvider(ringOf(vector))]);
      expectClean(await failure(openEnvelope(vector.envelope, vector.expectedContext, lookup)), secrets);
    },
  );

  it('should carry no key material when a master key ring entry has the wrong size', () => {
    const bad = Buffer.concat([MASTER, Buffer.from([1])]);
    try {
      parseMasterKeyRing({ 'key-a1': bad }, 'a1');
      expect.unreachable();
    } catch (error) {
      expectClean(error as EnvelopeError, [MASTER, bad]);
    }
  });

  it('should catch a leak when a message does spell a key (the checker itself works)', () => {
    const leaky = new EnvelopeError('tampered', `bad key ${MASTER.toString('base64').slice(0, 20)}`);
    expect(() => {
      expectClean(leaky, [MASTER]);
    }).toThrow();
  });

  it('should attach no cause when authentication fails (nothing useful, nothing to leak)', async () => {
    const provider = recordingProvider([]);
    const envelope = flipBit(await sealEnvelope(PLAINTEXT, CONTEXT, provider), 'ct');
    expect((await failure(openEnvelope(envelope, CONTEXT, providersByName([provider])))).cause).toBeUndefined();
  });
});
