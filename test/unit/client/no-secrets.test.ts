// Errors reach logs and warnings: whatever the mounted files hold, no message may carry key material.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localKeyRingUnwrapper, openExchangeKey } from '../../../src/client/index.ts';
import { createLocalProvider, sealEnvelope, type MasterKeyRing } from '../../../src/crypto/index.ts';
import { createSecretVolume } from '../../support/secret-volume.ts';
import { NAME, NS, Recorder, masterKeyStrings, material, overlap, plain, ring, sealed, secretStrings, tamper, tempDir, withEntry } from './support/fixtures.ts';

const SECRET = 'test-only-never-in-a-message-9d1c';
let dir: { path: string; cleanup: () => Promise<void> };
let keys: MasterKeyRing;

beforeEach(async () => {
  dir = await tempDir();
  keys = ring();
});

afterEach(async () => {
  await dir.cleanup();
});

async function sealedText(text: string, version: number): Promise<Record<string, string>> {
  const envelope = await sealEnvelope(Buffer.from(text), { namespace: NS, name: NAME, version }, createLocalProvider(keys));
  return { version: Buffer.from(String(version)).toString('base64'), envelope: Buffer.from(envelope).toString('base64') };
}

describe('errors about a mounted Secret', () => {
  const v1 = material(1, { passphrase: 'test-only-passphrase-v1' });
  const v2 = material(2, { apiSecret: SECRET });
  it.each([
    { what: 'the new envelope is tampered', bad: async () => tamper(await sealed(v2, keys)) },
    { what: 'the new envelope is for another Secret', bad: () => sealed(v2, keys, { name: 'elsewhere' }) },
    { what: 'the new envelope uses an unknown master key', bad: () => sealed(v2, ring()) },
    { what: 'the version file holds a secret', bad: async () => withEntry(await plain(v2), 'version', SECRET) },
    { what: 'the envelope file holds a secret instead of JSON', bad: async () => withEntry(await sealed(v2, keys), 'envelope', SECRET) },
    { what: 'the plaintext is not JSON', bad: () => sealedText(`not json ${SECRET}`, 2) },
    { what: 'the plaintext has a non-string apiKey', bad: () => sealedText(JSON.stringify({ version: 2, apiKey: 7, apiSecret: SECRET }), 2) },
    { what: 'the plaintext is for another version', bad: () => sealedText(JSON.stringify({ version: 9, apiKey: 'XK', apiSecret: SECRET }), 2) },
    { what: 'previous.* is tampered', bad: async () => overlap(await sealed(material(3), keys), tamper(await sealed(v2, keys))) },
    { what: 'the version file says 0', bad: async () => withEntry(await plain(v2), 'version', '0') },
  ])('should carry no key material when $what', async ({ bad }) => {
    const recorder = new Recorder();
    const volume = await createSecretVolume(join(dir.path, 'm'), await sealed(v1, keys));
    const handle = await openExchangeKey({ dir: volume.dir, namespace: NS, secretName: NAME, unwrappers: [localKeyRingUnwrapper({ ring: keys })], ...recorder.callbacks });
    try {
      await volume.update(await bad());
      await recorder.errorCount(1);
    } finally {
      await handle.close();
    }
    const rendered = recorder.errors.map(({ error }) => [error.message, String(error), error.stack ?? '', JSON.stringify(error)].join('\n')).join('\n');
    for (const secret of [SECRET, ...secretStrings(v1, v2), ...masterKeyStrings(keys)]) {
      expect(rendered).not.toContain(secret);
    }
  });
});
