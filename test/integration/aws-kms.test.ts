// The aws-kms envelope provider against a real AWS-protocol KMS (moto's server): exkey's own
// sealEnvelope/openEnvelope round trip, the KMS EncryptionContext and the envelope AAD each refusing
// moved or mixed-up envelopes, and every failure mapped to an EnvelopeError an SRE can act on.
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  DisabledException,
  IncorrectKeyException,
  KMSInternalException,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EnvelopeError,
  openEnvelope,
  providersByName,
  sealEnvelope,
  type EnvelopeContext,
  type EnvelopeErrorKind,
  type KeyUnwrapper,
} from '../../src/crypto/index.ts';
import {
  AWS_KMS_PROVIDER,
  createAwsKmsProvider,
  createAwsKmsUnwrapper,
  envelopeErrorFromKms,
  kmsClient,
  kmsEncryptionContext,
  type KmsCall,
} from '../../src/crypto/providers/aws-kms.ts';
import { countKmsRequests, createKmsKey, freePort, startMoto, type MotoServer } from '../support/moto.ts';

const CONTEXT: EnvelopeContext = { namespace: 'trading', name: 'bybit-mm-key', version: 3 };
const PLAINTEXT = Buffer.from('{"apiKey":"test-only-key","apiSecret":"test-only-not-a-real-secret"}');
const ALIAS = 'alias/exkey-it';
const MISSING_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000';

interface EnvelopeJson {
  v: number;
  provider: string;
  keyRef: string;
  ns: string;
  name: string;
  version: number;
  wrappedKey: string;
  iv: string;
  ct: string;
  tag: string;
}

function parse(envelope: string): EnvelopeJson {
  return JSON.parse(envelope) as EnvelopeJson;
}

function edit(envelope: string, change: Partial<EnvelopeJson>): string {
  return JSON.stringify({ ...parse(envelope), ...change });
}

function flipByte(base64: string, index = -1): string {
  const bytes = Buffer.from(base64, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

function movedTo(change: Partial<EnvelopeContext>): EnvelopeContext {
  return { ...CONTEXT, ...change };
}

// Every data key KMS hands out (GenerateDataKey or Decrypt), copied before the provider zeroes
// the SDK's array; `arrays` keeps the SDK's own arrays to check they were zeroed.
function recordDataKeys(client: KMSClient): { copies: Buffer[]; arrays: Uint8Array[] } {
  const seen = { copies: [] as Buffer[], arrays: [] as Uint8Array[] };
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const plaintext = (result.output as { Plaintext?: Uint8Array }).Plaintext;
      if (plaintext !== undefined) {
        seen.copies.push(Buffer.from(plaintext));
        seen.arrays.push(plaintext);
      }
      return result;
    },
    { step: 'initialize', name: 'exkeyTestRecordDataKeys' },
  );
  return seen;
}

async function failure(promise: Promise<unknown>): Promise<EnvelopeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnvelopeError);
  return error as EnvelopeError;
}

async function expectFailure(promise: Promise<unknown>, kind: EnvelopeErrorKind, retryable = false): Promise<EnvelopeError> {
  const error = await failure(promise);
  expect({ kind: error.kind, retryable: error.retryable, message: error.message }).toMatchObject({ kind, retryable });
  return error;
}

// Nothing secret in any rendering of the error: data keys, wrapped keys, ciphertext, plaintext.
function expectClean(error: EnvelopeError, secrets: Buffer[]): void {
  const rendered = [error.message, String(error), JSON.stringify(error), error.stack ?? ''].join('\n');
  for (const secret of secrets) {
    expect(rendered).not.toContain(secret.toString('base64').slice(0, 16));
    expect(rendered).not.toContain(secret.toString('hex').slice(0, 16));
  }
  expect(rendered).not.toContain('test-only-not-a-real-secret');
}

describe('aws-kms provider against moto', () => {
  let moto: MotoServer;
  let admin: KMSClient;
  let keyArn: string;
  let otherKeyArn: string;
  const clients: KMSClient[] = [];

  // A fresh client per test, so request counts and recorded keys belong to that test.
  function client(overrides: Parameters<typeof kmsClient>[0] = {}): KMSClient {
    const created = kmsClient({ ...moto.clientConfig, maxAttempts: 2, ...overrides });
    clients.push(created);
    return created;
  }

  function reader(kms: KMSClient): ReturnType<typeof providersByName> {
    return providersByName([createAwsKmsUnwrapper({ client: kms })]);
  }

  async function seal(keyId = keyArn, context = CONTEXT): Promise<string> {
    return sealEnvelope(PLAINTEXT, context, createAwsKmsProvider({ client: client(), keyId }));
  }

  beforeAll(async () => {
    moto = await startMoto();
    admin = client();
    keyArn = await createKmsKey(admin, ALIAS);
    otherKeyArn = await createKmsKey(admin);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await moto.stop();
  });

  it('should round-trip through sealEnvelope/openEnvelope with one GenerateDataKey and one Decrypt', async () => {
    const sealer = client();
    const sealed = countKmsRequests(sealer);
    const sealerKeys = recordDataKeys(sealer);
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, createAwsKmsProvider({ client: sealer, keyId: keyArn }));
    expect(Object.fromEntries(sealed)).toEqual({ GenerateDataKeyCommand: 1 });

    const json = parse(envelope);
    expect(json).toMatchObject({ provider: AWS_KMS_PROVIDER, keyRef: keyArn, ns: 'trading', name: 'bybit-mm-key', version: 3 });
    expect(envelope).not.toContain('test-only');

    const opener = client();
    const opened = countKmsRequests(opener);
    const openerKeys = recordDataKeys(opener);
    const plaintext = await openEnvelope(envelope, CONTEXT, reader(opener));
    expect(plaintext.toString()).toBe(PLAINTEXT.toString());
    expect(Object.fromEntries(opened)).toEqual({ DecryptCommand: 1 });

    // Same data key both ways, and the SDK's copies were zeroed by the provider.
    expect(openerKeys.copies[0]?.equals(sealerKeys.copies[0]!)).toBe(true);
    for (const array of [...sealerKeys.arrays, ...openerKeys.arrays]) {
      expect(array.length).toBe(32);
      expect(array.every((b) => b === 0)).toBe(true);
    }
  });

  it('should bind the data key to the Secret through the KMS EncryptionContext', async () => {
    const kms = client();
    const generated = await createAwsKmsProvider({ client: kms, keyId: keyArn }).generateDataKey(CONTEXT);
    expect(kmsEncryptionContext(CONTEXT)).toEqual({
      'exkey.io/namespace': 'trading',
      'exkey.io/name': 'bybit-mm-key',
      'exkey.io/version': '3',
    });
    const unwrapper = createAwsKmsUnwrapper({ client: kms });
    const again = await unwrapper.unwrap(generated.wrappedKey, generated.keyRef, CONTEXT);
    expect(again.equals(generated.dataKey)).toBe(true);
    const error = await expectFailure(unwrapper.unwrap(generated.wrappedKey, generated.keyRef, movedTo({ version: 4 })), 'tampered');
    expect(error.message).toContain('InvalidCiphertextException');
    expect(error.cause).toBeUndefined();
    expectClean(error, [generated.dataKey, generated.wrappedKey]);
  });

  it.each([
    ['an alias name', ALIAS],
    ['an alias ARN', `arn:aws:kms:us-east-1:123456789012:${ALIAS}`],
    ['a bare key id', () => keyArn.split('/').pop()!],
  ])('should seal with %s as keyId and record the key ARN as keyRef', async (_, keyId) => {
    const envelope = await seal(typeof keyId === 'function' ? keyId() : keyId);
    expect(parse(envelope).keyRef).toBe(keyArn);
    expect((await openEnvelope(envelope, CONTEXT, reader(client()))).toString()).toBe(PLAINTEXT.toString());
  });

  describe('an envelope moved to another Secret or version', () => {
    const moves: [string, EnvelopeContext][] = [
      ['namespace', movedTo({ namespace: 'other-team' })],
      ['name', movedTo({ name: 'okx-mm-key' })],
      ['version', movedTo({ version: 4 })],
    ];

    it.each(moves)('should fail as context-mismatch when only the %s differs from the clear fields', async (_, target) => {
      const envelope = await seal();
      const opener = client();
      const requests = countKmsRequests(opener);
      await expectFailure(openEnvelope(envelope, target, reader(opener)), 'context-mismatch');
      expect(requests.size).toBe(0);
    });

    it.each(moves)('should be refused by KMS when the %s and the clear fields are rewritten', async (_, target) => {
      const envelope = edit(await seal(), { ns: target.namespace, name: target.name, version: target.version });
      const opener = client();
      const requests = countKmsRequests(opener);
      const error = await expectFailure(openEnvelope(envelope, target, reader(opener)), 'tampered');
      expect(error.message).toMatch(/InvalidCiphertextException.*encryption context/);
      expect(Object.fromEntries(requests)).toEqual({ DecryptCommand: 1 });
    });

    it.each(moves)('should still fail the AAD check when the %s is moved and KMS is asked for the old context', async (_, target) => {
      const envelope = edit(await seal(), { ns: target.namespace, name: target.name, version: target.version });
      const real = createAwsKmsUnwrapper({ client: client() });
      // A broken (or malicious) unwrapper that ignores the context it is given: only the AAD is left.
      const ignoresContext: KeyUnwrapper = { name: AWS_KMS_PROVIDER, unwrap: (w, ref) => real.unwrap(w, ref, CONTEXT) };
      const error = await expectFailure(openEnvelope(envelope, target, providersByName([ignoresContext])), 'tampered');
      expect(error.message).toContain('failed authentication');
    });
  });

  describe('a mixed-up wrapped key', () => {
    it("should fail when the wrapped key is swapped for another KMS key's wrapped key", async () => {
      const mine = await seal(keyArn);
      const theirs = await seal(otherKeyArn);
      const swapped = edit(mine, { wrappedKey: parse(theirs).wrappedKey });
      const error = await failure(openEnvelope(swapped, CONTEXT, reader(client())));
      // Decrypt pins KeyId = keyRef. Real KMS answers IncorrectKeyException (mapped to tampered);
      // moto answers AccessDeniedException instead (mapped to unknown-key). Either way: refused, final.
      expect(error.retryable).toBe(false);
      expect(error.kind).toBe('unknown-key');
      expect(error.message).toContain('AccessDeniedException');
      expect(error.message).toContain(keyArn);
    });

    it('should fail the AAD check when wrappedKey and keyRef are both taken from another envelope', async () => {
      const mine = await seal(keyArn);
      const theirs = parse(await seal(otherKeyArn));
      const swapped = edit(mine, { wrappedKey: theirs.wrappedKey, keyRef: theirs.keyRef });
      const error = await expectFailure(openEnvelope(swapped, CONTEXT, reader(client())), 'tampered');
      expect(error.message).toContain('failed authentication');
    });

    it('should fail the AAD check for another wrapping by the same key and context', async () => {
      const mine = await seal();
      const swapped = edit(mine, { wrappedKey: parse(await seal()).wrappedKey });
      await expectFailure(openEnvelope(swapped, CONTEXT, reader(client())), 'tampered');
    });
  });

  describe('tampering', () => {
    it.each([
      ['the last byte of wrappedKey', (e: EnvelopeJson) => ({ wrappedKey: flipByte(e.wrappedKey) })],
      // Not the first bytes: moto's blob starts with the key id, and a changed id reads as another key.
      ['a middle byte of wrappedKey', (e: EnvelopeJson) => ({ wrappedKey: flipByte(e.wrappedKey, 48) })],
      ['a truncated wrappedKey', (e: EnvelopeJson) => ({ wrappedKey: Buffer.from(e.wrappedKey, 'base64').subarray(0, 40).toString('base64') })],
      ['the ciphertext', (e: EnvelopeJson) => ({ ct: flipByte(e.ct) })],
      ['the tag', (e: EnvelopeJson) => ({ tag: flipByte(e.tag) })],
      ['the IV', (e: EnvelopeJson) => ({ iv: flipByte(e.iv) })],
    ])('should fail as tampered when %s is altered', async (_, change) => {
      const envelope = await seal();
      const opener = client();
      const keys = recordDataKeys(opener);
      const json = parse(envelope);
      const error = await expectFailure(openEnvelope(edit(envelope, change(json)), CONTEXT, reader(opener)), 'tampered');
      expect(error.cause).toBeUndefined();
      expectClean(error, [...keys.copies, Buffer.from(json.wrappedKey, 'base64'), Buffer.from(json.ct, 'base64')]);
    });

    it('should reject a keyRef that is not a KMS key ARN as malformed, without calling KMS', async () => {
      const opener = client();
      const requests = countKmsRequests(opener);
      await expectFailure(openEnvelope(edit(await seal(), { keyRef: ALIAS }), CONTEXT, reader(opener)), 'malformed');
      expect(requests.size).toBe(0);
    });
  });

  describe('unusable keys', () => {
    it.each([
      ['a key ARN', MISSING_KEY_ARN],
      ['an alias', 'alias/does-not-exist'],
    ])('should fail sealing as unknown-key when %s does not exist', async (_, keyId) => {
      const error = await expectFailure(seal(keyId), 'unknown-key');
      expect(error.message).toContain(`KMS key "${keyId}"`);
      expect(error.message).toContain('NotFoundException');
      expect(error.message).toContain('kms:GenerateDataKey');
      expect(error.message).toContain('trading/bybit-mm-key v3');
    });

    it('should fail opening as unknown-key when keyRef names a key that does not exist', async () => {
      const envelope = edit(await seal(), { keyRef: MISSING_KEY_ARN });
      const error = await expectFailure(openEnvelope(envelope, CONTEXT, reader(client())), 'unknown-key');
      expect(error.message).toContain(MISSING_KEY_ARN);
      expect(error.message).toContain('kms:Decrypt');
    });

    it("should fail as unknown-key without calling KMS when the key is in another region than the client's", async () => {
      const envelope = await seal();
      const opener = client({ region: 'eu-west-1' });
      const requests = countKmsRequests(opener);
      const error = await expectFailure(openEnvelope(envelope, CONTEXT, reader(opener)), 'unknown-key');
      expect(error.message).toContain('region us-east-1 but this KMS client uses region eu-west-1');
      expect(requests.size).toBe(0);
    });
  });

  describe('an unreachable KMS', () => {
    it('should fail as provider-unavailable, retryable, when the endpoint refuses connections', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const kms = client({ endpoint: closed });
      const requests = countKmsRequests(kms);
      const error = await expectFailure(
        sealEnvelope(PLAINTEXT, CONTEXT, createAwsKmsProvider({ client: kms, keyId: keyArn })),
        'provider-unavailable',
        true,
      );
      expect(error.message).toContain('ECONNREFUSED');
      expect(requests.get('GenerateDataKeyCommand')).toBe(2); // maxAttempts: the SDK retried once
    });

    it('should fail opening as provider-unavailable, retryable, after the KMS server stopped', async () => {
      const second = await startMoto();
      const kms = client(second.clientConfig);
      try {
        const arn = await createKmsKey(kms);
        const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, createAwsKmsProvider({ client: kms, keyId: arn }));
        expect((await openEnvelope(envelope, CONTEXT, reader(kms))).toString()).toBe(PLAINTEXT.toString());
        await second.stop();
        const error = await expectFailure(openEnvelope(envelope, CONTEXT, reader(kms)), 'provider-unavailable', true);
        expect(error.message).toContain('could not reach KMS');
      } finally {
        await second.stop();
      }
    });

    it('should time out as provider-unavailable, retryable, when the endpoint accepts but never answers', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      try {
        const kms = client({ endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 300, maxAttempts: 1 });
        const error = await expectFailure(
          createAwsKmsProvider({ client: kms, keyId: keyArn }).generateDataKey(CONTEXT),
          'provider-unavailable',
          true,
        );
        expect(error.message).toMatch(/timeout|timed out/i);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });

  it('should take the endpoint and credentials from the standard AWS environment variables', async () => {
    // A child process, so nothing global changes here: AWS_ENDPOINT_URL_KMS points the SDK at moto.
    const aws = fileURLToPath(new URL('../../src/crypto/providers/aws-kms.ts', import.meta.url));
    const crypto = fileURLToPath(new URL('../../src/crypto/index.ts', import.meta.url));
    const script = [
      `import { kmsClient, createAwsKmsProvider } from ${JSON.stringify(aws)};`,
      `import { sealEnvelope, openEnvelope, providersByName } from ${JSON.stringify(crypto)};`,
      'const client = kmsClient();',
      `const provider = createAwsKmsProvider({ client, keyId: ${JSON.stringify(ALIAS)} });`,
      `const ctx = ${JSON.stringify(CONTEXT)};`,
      `const env = await sealEnvelope(Buffer.from('hello'), ctx, provider);`,
      'const out = await openEnvelope(env, ctx, providersByName([provider]));',
      'process.stdout.write(JSON.parse(env).keyRef + " " + out.toString());',
    ].join('\n');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: '/nonexistent',
      AWS_ENDPOINT_URL_KMS: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(`${keyArn} hello`);
  });
});

describe('KMS error mapping for answers moto does not give', () => {
  const call: KmsCall = { operation: 'Decrypt', keyId: MISSING_KEY_ARN, context: CONTEXT };
  const meta = { httpStatusCode: 400, requestId: 'req-1234' };
  const generic = (name: string, status: number, fault: 'client' | 'server' = 'client'): KMSServiceException =>
    new KMSServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} from KMS` });

  it.each([
    ['IncorrectKeyException', new IncorrectKeyException({ message: 'wrong key', $metadata: meta }), 'tampered', false],
    ['DisabledException', new DisabledException({ message: 'key is disabled', $metadata: meta }), 'unknown-key', false],
    ['KMSInvalidStateException', new KMSInvalidStateException({ message: 'pending deletion', $metadata: meta }), 'unknown-key', false],
    ['NotFoundException', new NotFoundException({ message: 'no such key', $metadata: meta }), 'unknown-key', false],
    ['AccessDeniedException', generic('AccessDeniedException', 400), 'unknown-key', false],
    ['UnrecognizedClientException', generic('UnrecognizedClientException', 400), 'unknown-key', false],
    ['ThrottlingException', generic('ThrottlingException', 400), 'provider-unavailable', true],
    ['KMSInternalException', new KMSInternalException({ message: 'internal', $metadata: { httpStatusCode: 500 } }), 'provider-unavailable', true],
    ['an unmodelled 503', generic('ServiceUnavailable', 503, 'server'), 'provider-unavailable', true],
    ['ValidationException', generic('ValidationException', 400), 'provider-unavailable', false],
    ['a missing credential chain', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'provider-unavailable', true],
    ['a socket timeout', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'provider-unavailable', true],
  ])('should map %s', (_, error, kind, retryable) => {
    const mapped = envelopeErrorFromKms(error, call);
    expect({ kind: mapped.kind, retryable: mapped.retryable }).toEqual({ kind, retryable });
    expect(mapped.message).toContain(MISSING_KEY_ARN);
    expect(mapped.message).toContain('trading/bybit-mm-key v3');
    if (kind === 'tampered') expect(mapped.cause).toBeUndefined();
    else expect(mapped.cause).toBe(error);
  });

  it('should name the AWS error code and request id so the call can be found in CloudTrail', () => {
    const mapped = envelopeErrorFromKms(new DisabledException({ message: 'arn:... is disabled.', $metadata: meta }), call);
    expect(mapped.message).toContain('DisabledException: arn:... is disabled. (request id req-1234)');
    expect(mapped.message).toContain('kms:Decrypt');
  });
});
