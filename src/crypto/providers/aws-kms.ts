// The `aws-kms` provider: data keys come from AWS KMS GenerateDataKey and are opened with Decrypt.
// KMS never releases the key that wraps them, and every call carries an EncryptionContext naming
// the Secret and key version, so KMS itself refuses to open a data key presented for another
// object, and CloudTrail records which Secret each Decrypt was for.
//
// IAM permissions (on the KMS key, through the key policy or an IAM policy plus the key policy):
// - the operator seals: kms:GenerateDataKey; it also reads back what it wrote (tamper checks,
//   previous versions during a rotation), so it needs kms:Decrypt as well;
// - consumers (agent, client library, your code) only open: kms:Decrypt, nothing else. Scope it to
//   their Secrets with a condition such as
//   "StringEquals": { "kms:EncryptionContext:exkey.io/namespace": "trading" }.
// With an alias keyId, grant on the key the alias points to (and kms:DescribeKey is not needed).
// Credentials come from the standard AWS chain (environment, web identity/IRSA, EKS Pod Identity,
// ECS, IMDS); the endpoint can be overridden with AWS_ENDPOINT_URL_KMS or AWS_ENDPOINT_URL.

import {
  DecryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { assertContext, describeContext, type EnvelopeContext } from '../context.ts';
import { EnvelopeError } from '../errors.ts';
import type { GeneratedDataKey, KeyProvider, KeyUnwrapper } from './types.ts';

/** Provider name written in envelopes. */
export const AWS_KMS_PROVIDER = 'aws-kms';

/** EncryptionContext keys: the envelope context as KMS sees it (and as IAM conditions name it). */
export const KMS_CONTEXT_NAMESPACE = 'exkey.io/namespace';
export const KMS_CONTEXT_NAME = 'exkey.io/name';
export const KMS_CONTEXT_VERSION = 'exkey.io/version';

/** keyRef syntax: a KMS key ARN (never an alias: the ARN GenerateDataKey reports is what wrapped the key). */
export const KMS_KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

// The region of a key or alias ARN; plain key ids and alias names have none.
const ARN_REGION = /^arn:aws(?:-[a-z]+)*:kms:([a-z0-9-]+):/;

/** Defaults of kmsClient: KMS answers in milliseconds; the reconcile loop retries with its own backoff. */
export const KMS_CONNECT_TIMEOUT_MS = 3_000;
export const KMS_REQUEST_TIMEOUT_MS = 5_000;
export const KMS_MAX_ATTEMPTS = 3;

const AWS_MESSAGE_MAX = 300;

/** The EncryptionContext bound to every data key: `{exkey.io/namespace, exkey.io/name, exkey.io/version}`. */
export function kmsEncryptionContext(context: EnvelopeContext): Record<string, string> {
  return {
    [KMS_CONTEXT_NAMESPACE]: context.namespace,
    [KMS_CONTEXT_NAME]: context.name,
    [KMS_CONTEXT_VERSION]: String(context.version),
  };
}

/** Options of kmsClient; everything else comes from the standard AWS configuration chain. */
export interface KmsClientOptions {
  /** AWS region; default: AWS_REGION / the shared config / IMDS. */
  region?: string;
  /** Endpoint URL; default: AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, or the regional KMS endpoint. */
  endpoint?: string;
  /** Explicit credentials (tests); default: the standard credential chain. */
  credentials?: KMSClientConfig['credentials'];
  /** Per-attempt limit for a whole request and response (default KMS_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Attempts per call including the first (default KMS_MAX_ATTEMPTS, standard retry mode). */
  maxAttempts?: number;
}

/** A KMS client with bounded timeouts and a few standard-mode retries, for both providers below. */
export function kmsClient(options: KmsClientOptions = {}): KMSClient {
  const config: KMSClientConfig = {
    maxAttempts: options.maxAttempts ?? KMS_MAX_ATTEMPTS,
    retryMode: 'standard',
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
    requestHandler: {
      connectionTimeout: KMS_CONNECT_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? KMS_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
  // Only set what was given, so the SDK's own resolution (environment, shared config) still applies.
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return new KMSClient(config);
}

/** What was being done when KMS failed, for the error message. */
export interface KmsCall {
  readonly operation: 'GenerateDataKey' | 'Decrypt';
  /** The keyId (seal) or keyRef (open) the call named. */
  readonly keyId: string;
  readonly context: EnvelopeContext;
}

// The key cannot be used by this caller: fix the key, its state, or the permissions; retrying won't help.
const KEY_UNUSABLE = new Set([
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'AccessDeniedException',
  'InvalidKeyUsageException',
  'InvalidArnException',
]);
// The signature or access key was rejected: the credentials are wrong, not the key.
const CREDENTIALS_REJECTED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);
// KMS or a dependency is briefly unable to serve, or the credentials are due for a refresh.
const TRANSIENT = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'DependencyTimeoutException',
  'KMSInternalException',
  'KeyUnavailableException',
  'ExpiredTokenException',
  'RequestTimeout',
  'RequestTimeoutException',
]);

function what(call: KmsCall): string {
  const verb = call.operation === 'GenerateDataKey' ? 'generate a data key' : 'decrypt the wrapped data key';
  return `KMS ${call.operation} (${verb} for ${describeContext(call.context)} with KMS key "${call.keyId}")`;
}

// The AWS message helps (it names the principal and the missing permission) and carries no key
// material; the SDK fills in "UnknownError" when the service sent none.
function awsDetail(error: KMSServiceException): string {
  const message = error.message === 'UnknownError' ? '' : error.message.replace(/\s+/g, ' ').slice(0, AWS_MESSAGE_MAX);
  const requestId = error.$metadata.requestId;
  return `${error.name}${message ? `: ${message}` : ''}${requestId ? ` (request id ${requestId})` : ''}`;
}

function fromService(error: KMSServiceException, call: KmsCall): EnvelopeError {
  const code = error.name;
  // IncorrectKeyException: the wrapped key was not made by the keyRef key. The sealer writes the
  // ARN GenerateDataKey reported, so the two only disagree when the envelope was altered.
  if (code === 'InvalidCiphertextException' || code === 'IncorrectKeyException') {
    return new EnvelopeError(
      'tampered',
      `${what(call)} was refused (${code}): the wrapped key was altered or swapped, or the envelope was sealed ` +
        'for another Secret or version (its KMS encryption context differs)',
    );
  }
  const permission = call.operation === 'GenerateDataKey' ? 'kms:GenerateDataKey' : 'kms:Decrypt';
  if (KEY_UNUSABLE.has(code)) {
    return new EnvelopeError(
      'unknown-key',
      `${what(call)} failed: ${awsDetail(error)}. Check that the key exists in that account and region, is enabled ` +
        `and not pending deletion, and that this AWS identity is allowed ${permission} on it`,
      { cause: error },
    );
  }
  if (CREDENTIALS_REJECTED.has(code)) {
    return new EnvelopeError(
      'unknown-key',
      `${what(call)} failed: AWS rejected the credentials (${awsDetail(error)}); fix the AWS identity of this process`,
      { cause: error },
    );
  }
  const status = error.$metadata.httpStatusCode ?? 0;
  if (TRANSIENT.has(code) || error.$fault === 'server' || status >= 500) {
    return new EnvelopeError('provider-unavailable', `${what(call)} failed, will retry: ${awsDetail(error)}`, {
      retryable: true,
      cause: error,
    });
  }
  return new EnvelopeError('provider-unavailable', `${what(call)} was rejected: ${awsDetail(error)}`, {
    retryable: false,
    cause: error,
  });
}

/**
 * The EnvelopeError for a failed KMS call: tampered (ciphertext or context altered or moved),
 * unknown-key (key missing, disabled, not permitted; credentials rejected), or provider-unavailable
 * (retryable for throttling, 5xx, network errors, timeouts and missing credentials).
 */
export function envelopeErrorFromKms(error: unknown, call: KmsCall): EnvelopeError {
  if (error instanceof EnvelopeError) return error;
  if (error instanceof KMSServiceException) return fromService(error, call);
  // Not an answer from KMS: connection refused or reset, DNS, timeout, no credentials found, no region.
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = error instanceof Error ? error.message.slice(0, AWS_MESSAGE_MAX) : String(error);
  const hint = name === 'CredentialsProviderError' ? ' (no AWS credentials found by the standard chain)' : '';
  return new EnvelopeError(
    'provider-unavailable',
    `${what(call)} could not reach KMS, will retry: ${name}${typeof code === 'string' ? ` ${code}` : ''}: ${detail}${hint}`,
    { retryable: true, cause: error },
  );
}

function providerBug(message: string): EnvelopeError {
  return new EnvelopeError('provider-unavailable', `key provider "${AWS_KMS_PROVIDER}" ${message}`, { retryable: false });
}

// A KMS client talks to one region; an ARN naming another region cannot work and would come back
// as a confusing NotFoundException. Passes when the regions agree, the key is not named by an ARN,
// or the client's region cannot be resolved (the call itself then reports that).
async function assertSameRegion(client: KMSClient, call: KmsCall): Promise<void> {
  const keyRegion = ARN_REGION.exec(call.keyId)?.[1];
  const clientRegion = await client.config.region().catch(() => undefined);
  if (keyRegion !== undefined && clientRegion !== undefined && keyRegion !== clientRegion) {
    throw new EnvelopeError(
      'unknown-key',
      `${what(call)} cannot run: the key is in region ${keyRegion} but this KMS client uses region ${clientRegion}; ` +
        `configure region ${keyRegion}`,
    );
  }
}

async function generateDataKey(client: KMSClient, keyId: string, context: EnvelopeContext): Promise<GeneratedDataKey> {
  assertContext(context, 'context');
  const call: KmsCall = { operation: 'GenerateDataKey', keyId, context };
  await assertSameRegion(client, call);
  const response = await client
    .send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: kmsEncryptionContext(context) }))
    .catch((error: unknown) => {
      throw envelopeErrorFromKms(error, call);
    });
  const { Plaintext: plaintext, CiphertextBlob: blob, KeyId: keyArn } = response;
  try {
    if (plaintext === undefined || blob === undefined || blob.length === 0) {
      throw providerBug('got a GenerateDataKey response without Plaintext or CiphertextBlob');
    }
    if (keyArn === undefined || !KMS_KEY_ARN.test(keyArn)) {
      throw providerBug('got a GenerateDataKey response whose KeyId is not a KMS key ARN');
    }
    return { dataKey: Buffer.from(plaintext), wrappedKey: Buffer.from(blob), keyRef: keyArn };
  } finally {
    // The copy above belongs to the caller, who zeroes it; the SDK's array is ours to clear.
    plaintext?.fill(0);
  }
}

async function unwrap(client: KMSClient, wrappedKey: Buffer, keyRef: string, context: EnvelopeContext): Promise<Buffer> {
  assertContext(context, 'context');
  if (!KMS_KEY_ARN.test(keyRef)) {
    throw new EnvelopeError('malformed', 'aws-kms keyRef is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');
  }
  const call: KmsCall = { operation: 'Decrypt', keyId: keyRef, context };
  await assertSameRegion(client, call);
  // KeyId pins the key: a ciphertext made by any other key is refused instead of silently opened.
  const response = await client
    .send(new DecryptCommand({ CiphertextBlob: wrappedKey, KeyId: keyRef, EncryptionContext: kmsEncryptionContext(context) }))
    .catch((error: unknown) => {
      throw envelopeErrorFromKms(error, call);
    });
  const plaintext = response.Plaintext;
  try {
    if (plaintext === undefined) {
      throw providerBug('got a Decrypt response without Plaintext');
    }
    if (response.KeyId !== keyRef) {
      throw new EnvelopeError('tampered', `${what(call)} was answered by another key: the wrapped key was swapped`);
    }
    return Buffer.from(plaintext);
  } finally {
    plaintext?.fill(0);
  }
}

/** Opens aws-kms envelopes with kms:Decrypt only (agent, client library): any key, named by keyRef. */
export function createAwsKmsUnwrapper(options: { client: KMSClient }): KeyUnwrapper {
  const { client } = options;
  return {
    name: AWS_KMS_PROVIDER,
    unwrap: (wrappedKey, keyRef, context) => unwrap(client, wrappedKey, keyRef, context),
  };
}

/**
 * Seals under `keyId` (key id, key ARN, alias/<name> or alias ARN) and opens any aws-kms envelope
 * its credentials may decrypt. keyRef is the key ARN KMS reports, so aliases can be repointed
 * without breaking envelopes sealed before.
 */
export function createAwsKmsProvider(options: { client: KMSClient; keyId: string }): KeyProvider {
  const { client, keyId } = options;
  if (typeof keyId !== 'string' || keyId.length < 1 || keyId.length > 2048 || /\s/.test(keyId)) {
    throw new EnvelopeError('malformed', 'aws-kms keyId must be a key id, key ARN, alias/<name> or alias ARN (1-2048 chars)');
  }
  return {
    ...createAwsKmsUnwrapper({ client }),
    generateDataKey: (context) => generateDataKey(client, keyId, context),
  };
}

/** KMS clients by region, made on first use (one connection pool per region). */
export interface KmsClientPool {
  /** The client for `region`, or for the default region (AWS_REGION, shared config) when undefined. */
  client(region?: string): KMSClient;
  /** Destroys every client made so far. */
  close(): void;
}

/** A pool of clients sharing `base` settings (endpoint, credentials, timeouts). */
export function kmsClientPool(base: KmsClientOptions = {}): KmsClientPool {
  const clients = new Map<string, KMSClient>();
  return {
    client(region) {
      const id = region ?? '';
      let client = clients.get(id);
      if (!client) {
        client = kmsClient({ ...base, ...(region ? { region } : {}) });
        clients.set(id, client);
      }
      return client;
    },
    close() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}

/** Opens aws-kms envelopes with the client of the region their keyRef (a key ARN) names. */
export function createRegionalKmsUnwrapper(pool: KmsClientPool): KeyUnwrapper {
  return {
    name: AWS_KMS_PROVIDER,
    unwrap: (wrappedKey, keyRef, context) => {
      const region = keyRef.split(':')[3];
      return createAwsKmsUnwrapper({ client: pool.client(region || undefined) }).unwrap(wrappedKey, keyRef, context);
    },
  };
}
