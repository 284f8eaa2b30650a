import { describe, expect, it } from 'vitest';
import { awsKmsUnwrapper, isEnvelopeError, vaultTransitUnwrapper } from '../../../src/client/index.ts';
import type { VaultClient } from '../../../src/crypto/providers/vault-client.ts';
import { vaultTransitContext } from '../../../src/crypto/providers/vault-transit.ts';

const CONTEXT = { namespace: 'trading', name: 'mm', version: 3 };
const WRAPPED = Buffer.from('vault:v1:QUJDRA==', 'utf8');

describe('vaultTransitUnwrapper', () => {
  it('should decrypt through the given Vault connection with the envelope context', async () => {
    const calls: unknown[] = [];
    const dataKey = Buffer.alloc(32, 7);
    const vault: VaultClient = {
      address: 'http://vault',
      request: (method, path, body) => {
        calls.push({ method, path, body });
        return Promise.resolve({ data: { plaintext: dataKey.toString('base64') } });
      },
    };
    const unwrapper = vaultTransitUnwrapper({ vault, allowedMounts: ['transit'] });
    expect(await unwrapper.unwrap(WRAPPED, 'vault-transit:transit/exkey', CONTEXT)).toEqual(dataKey);
    expect(calls).toEqual([{ method: 'POST', path: 'transit/decrypt/exkey', body: { ciphertext: 'vault:v1:QUJDRA==', context: vaultTransitContext(CONTEXT) } }]);
  });

  it('should refuse a mount outside the allowlist without calling Vault', async () => {
    const vault: VaultClient = { address: 'http://vault', request: () => Promise.reject(new Error('must not be called')) };
    const error: unknown = await vaultTransitUnwrapper({ vault, allowedMounts: ['transit'] }).unwrap(WRAPPED, 'vault-transit:other/exkey', CONTEXT).catch((e: unknown) => e);
    expect(isEnvelopeError(error) && error.kind).toBe('unknown-key');
  });

  it('should fail every unwrap as unknown-key when VAULT_ADDR is not set', async () => {
    const error: unknown = await vaultTransitUnwrapper({ env: {} }).unwrap(WRAPPED, 'vault-transit:transit/exkey', CONTEXT).catch((e: unknown) => e);
    expect(isEnvelopeError(error) && error.kind).toBe('unknown-key');
    expect(String(error)).toContain('VAULT_ADDR is not set');
  });
});

describe('awsKmsUnwrapper', () => {
  it('should report KMS it cannot reach (or no credentials) as provider-unavailable, then close', async () => {
    const unwrapper = awsKmsUnwrapper({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1, requestTimeoutMs: 200 });
    expect(unwrapper.name).toBe('aws-kms');
    const error: unknown = await unwrapper.unwrap(Buffer.alloc(8), 'arn:aws:kms:eu-west-1:111122223333:key/abc', CONTEXT).catch((e: unknown) => e);
    expect(isEnvelopeError(error) && error.kind).toBe('provider-unavailable');
    await unwrapper.close();
  });
});
