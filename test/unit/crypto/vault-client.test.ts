// The Vault client's authentication (Kubernetes login and its renewal, token files, 403 handling)
// and the vault-transit provider's error mapping, against a scripted transport. The same paths run
// against a real Vault in test/integration/vault-transit.test.ts.
import { describe, expect, it } from 'vitest';
import {
  VaultRequestError,
  createVaultClient,
  redactVaultText,
  vaultConfigFromEnv,
  type VaultBody,
  type VaultClient,
  type VaultTransport,
} from '../../../src/crypto/providers/vault-client.ts';
import {
  createVaultTransitProvider,
  createVaultTransitUnwrapper,
  parseVaultTransitKeyRef,
  vaultTransitKeyRef,
} from '../../../src/crypto/providers/vault-transit.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { CONTEXT, failure } from './support/fixtures.ts';

interface Call {
  method: string;
  path: string;
  body?: Readonly<Record<string, unknown>>;
  token?: string;
}

/** A transport that records calls and answers logins with numbered tokens of `lease` seconds. */
function scripted(options: { lease?: number; deny?: (call: Call) => boolean } = {}): { transport: VaultTransport; calls: Call[] } {
  const calls: Call[] = [];
  let logins = 0;
  const transport: VaultTransport = (call) => {
    calls.push(call);
    if (call.path.endsWith('/login')) {
      logins += 1;
      return Promise.resolve({ auth: { client_token: `s.token-${logins}`, lease_duration: options.lease ?? 600, renewable: true } });
    }
    if (options.deny?.(call)) {
      return Promise.reject(new VaultRequestError({ method: call.method, path: call.path, status: 403, errors: ['permission denied'] }));
    }
    return Promise.resolve({ data: { ok: true } });
  };
  return { transport, calls };
}

function files(initial: Record<string, string>): { read: (path: string) => Promise<string>; contents: Record<string, string> } {
  const contents = { ...initial };
  return {
    contents,
    read: (path) => (path in contents ? Promise.resolve(contents[path]!) : Promise.reject(new Error(`ENOENT: ${path}`))),
  };
}

describe('Kubernetes auth', () => {
  it('should log in with the role and the service-account JWT, then send the Vault token', async () => {
    const { transport, calls } = scripted();
    const fs = files({ '/sa/token': 'eyJhbGciOi.jwt-1\n' });
    const client = createVaultClient({
      address: 'https://vault.example:8200/',
      auth: { method: 'kubernetes', role: 'exkey', mount: 'k8s-prod', jwtPath: '/sa/token' },
      clock: new FakeClock(),
      transport,
      readFile: fs.read,
    });
    expect(client.address).toBe('https://vault.example:8200');
    await client.request('POST', 'transit/decrypt/k', { ciphertext: 'x' });
    expect(calls).toEqual([
      { method: 'POST', path: 'auth/k8s-prod/login', body: { role: 'exkey', jwt: 'eyJhbGciOi.jwt-1' } },
      { method: 'POST', path: 'transit/decrypt/k', body: { ciphertext: 'x' }, token: 's.token-1' },
    ]);
  });

  it('should log in again before the token TTL runs out, re-reading the rotated JWT', async () => {
    const { transport, calls } = scripted({ lease: 600 });
    const fs = files({ '/sa/token': 'jwt-1' });
    const clock = new FakeClock();
    const client = createVaultClient({ address: 'http://v', auth: { method: 'kubernetes', role: 'r', jwtPath: '/sa/token' }, clock, transport, readFile: fs.read });
    await client.request('GET', 'a');
    await clock.advance(449_000); // < 75 % of 600 s
    await client.request('GET', 'b');
    fs.contents['/sa/token'] = 'jwt-2';
    await clock.advance(2_000);
    await client.request('GET', 'c');
    expect(calls.map((c) => `${c.path} ${c.token ?? (c.body?.jwt as string)}`)).toEqual([
      'auth/kubernetes/login jwt-1',
      'a s.token-1',
      'b s.token-1',
      'auth/kubernetes/login jwt-2',
      'c s.token-2',
    ]);
  });

  it('should keep a short-lived token no longer than its TTL minus 10 s, and never renew a token without TTL', async () => {
    const short = scripted({ lease: 20 });
    const clock = new FakeClock();
    const read = files({ t: 'jwt' }).read;
    const client = createVaultClient({ address: 'http://v', auth: { method: 'kubernetes', role: 'r', jwtPath: 't' }, clock, transport: short.transport, readFile: read });
    await client.request('GET', 'a');
    await clock.advance(10_000);
    await client.request('GET', 'b');
    expect(short.calls.filter((c) => c.path.endsWith('login'))).toHaveLength(2);

    const forever = scripted({ lease: 0 });
    const other = createVaultClient({ address: 'http://v', auth: { method: 'kubernetes', role: 'r', jwtPath: 't' }, clock, transport: forever.transport, readFile: read });
    await other.request('GET', 'a');
    await clock.advance(365 * 86_400_000);
    await other.request('GET', 'b');
    expect(forever.calls.filter((c) => c.path.endsWith('login'))).toHaveLength(1);
  });

  it('should log in once for concurrent requests', async () => {
    const { transport, calls } = scripted();
    const client = createVaultClient({ address: 'http://v', auth: { method: 'kubernetes', role: 'r', jwtPath: 't' }, clock: new FakeClock(), transport, readFile: files({ t: 'jwt' }).read });
    await Promise.all([client.request('GET', 'a'), client.request('GET', 'b'), client.request('GET', 'c')]);
    expect(calls.filter((c) => c.path.endsWith('login'))).toHaveLength(1);
  });

  it('should retry a 403 once with a fresh login, but not re-login for a token just obtained', async () => {
    let denyAll = false;
    const { transport, calls } = scripted({ deny: (call) => denyAll || call.token === 's.token-1' });
    const clock = new FakeClock();
    const client = createVaultClient({ address: 'http://v', auth: { method: 'kubernetes', role: 'r', jwtPath: 't' }, clock, transport, readFile: files({ t: 'jwt' }).read });
    // Fresh token denied: a policy problem, not a stale token. No login storm.
    await expect(client.request('GET', 'a')).rejects.toMatchObject({ status: 403 });
    expect(calls.filter((c) => c.path.endsWith('login'))).toHaveLength(1);
    // The token was revoked behind exkey's back a while later: log in again and retry.
    await clock.advance(30_000);
    await expect(client.request('GET', 'b')).resolves.toEqual({ data: { ok: true } });
    expect(calls.slice(-3).map((c) => `${c.path} ${c.token ?? ''}`)).toEqual(['b s.token-1', 'auth/kubernetes/login ', 'b s.token-2']);
    // A real denial: one fresh login and one retry, then the 403 is the answer.
    denyAll = true;
    await clock.advance(30_000);
    await expect(client.request('GET', 'c')).rejects.toBeInstanceOf(VaultRequestError);
    expect(calls.slice(-3).map((c) => `${c.path} ${c.token ?? ''}`)).toEqual(['c s.token-2', 'auth/kubernetes/login ', 'c s.token-3']);
  });
});

describe('token auth', () => {
  it('should re-read a token file after a 403 and retry only when the token changed', async () => {
    const fs = files({ '/vault/token': 'old\n' });
    const { transport, calls } = scripted({ deny: (call) => call.token === 'old' });
    const client = createVaultClient({ address: 'http://v', auth: { method: 'token-file', path: '/vault/token' }, clock: new FakeClock(), transport, readFile: fs.read });
    await expect(client.request('GET', 'a')).rejects.toMatchObject({ status: 403 });
    fs.contents['/vault/token'] = 'new';
    await expect(client.request('GET', 'b')).resolves.toEqual({ data: { ok: true } });
    expect(calls.map((c) => `${c.path} ${c.token ?? ''}`)).toEqual(['a old', 'b old', 'b new']);
  });

  it('should take the settings from the environment, Kubernetes auth first', async () => {
    const clock = new FakeClock();
    const read = files({ '/ca.pem': 'PEM' }).read;
    expect(await vaultConfigFromEnv({}, clock, read)).toBeUndefined();
    await expect(vaultConfigFromEnv({ VAULT_ADDR: 'http://v' }, clock, read)).rejects.toThrow(/no Vault authentication/);
    expect(await vaultConfigFromEnv({ VAULT_ADDR: 'http://v', VAULT_TOKEN: 't', VAULT_CACERT: '/ca.pem', VAULT_NAMESPACE: 'team' }, clock, read))
      .toMatchObject({ address: 'http://v', auth: { method: 'token', token: 't' }, caCert: 'PEM', namespace: 'team' });
    expect(await vaultConfigFromEnv({ VAULT_ADDR: 'http://v', VAULT_TOKEN: 't', EXKEY_VAULT_K8S_ROLE: 'exkey', EXKEY_VAULT_K8S_MOUNT: 'k' }, clock, read))
      .toMatchObject({ auth: { method: 'kubernetes', role: 'exkey', mount: 'k' } });
    expect(await vaultConfigFromEnv({ VAULT_ADDR: 'http://v', EXKEY_VAULT_TOKEN_FILE: '/f' }, clock, read))
      .toMatchObject({ auth: { method: 'token-file', path: '/f' } });
  });
});

describe('redaction', () => {
  it('should strip transit ciphertexts and key-like runs from Vault error text, and keep paths', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
    expect(redactVaultText(`invalid ciphertext vault:v1:${key} for ${key}`)).toBe('invalid ciphertext vault:v?:<redacted> for <redacted>');
    expect(redactVaultText('deadbeef'.repeat(8))).toBe('<redacted>');
    const route = 'no handler for route "transit-prod/decrypt/bybit-mm-key". route entry not found.';
    expect(redactVaultText(route)).toBe(route);
  });
});

/** A VaultClient that fails every call with `error` (or answers with `body`). */
function failingVault(error: VaultRequestError | Error, body?: VaultBody): VaultClient {
  return {
    address: 'http://v',
    request: (method, path) => {
      if (path.includes('/keys/')) return Promise.resolve({ data: { derived: true, type: 'aes256-gcm96' } });
      return body === undefined ? Promise.reject(error) : Promise.resolve(body);
    },
  };
}

const WRAPPED = Buffer.from(`vault:v1:${Buffer.alloc(60, 7).toString('base64')}`);

describe('vault-transit error mapping', () => {
  const http = (status: number | undefined, message: string): VaultRequestError =>
    new VaultRequestError({ method: 'POST', path: 'transit/decrypt/exkey', status, errors: [message] });

  it.each([
    { status: undefined, says: 'ECONNREFUSED', kind: 'provider-unavailable', retryable: true },
    { status: 503, says: 'Vault is sealed', kind: 'provider-unavailable', retryable: true },
    { status: 500, says: 'internal error', kind: 'provider-unavailable', retryable: true },
    { status: 429, says: 'rate limited', kind: 'provider-unavailable', retryable: true },
    { status: 403, says: 'permission denied', kind: 'unknown-key', retryable: false },
    { status: 404, says: 'no handler for route', kind: 'unknown-key', retryable: false },
    { status: 400, says: 'encryption key not found', kind: 'unknown-key', retryable: false },
    { status: 400, says: 'ciphertext or signature version is disallowed by policy (too old)', kind: 'unknown-key', retryable: false },
    { status: 400, says: 'cipher: message authentication failed', kind: 'tampered', retryable: false },
    { status: 400, says: 'invalid ciphertext: could not decode base64', kind: 'tampered', retryable: false },
  ])('should map a decrypt failure ($status $says) to $kind', async ({ status, says, kind, retryable }) => {
    const unwrapper = createVaultTransitUnwrapper({ vault: failingVault(http(status, says)) });
    const error = await failure(unwrapper.unwrap(WRAPPED, 'vault-transit:transit/exkey', CONTEXT));
    expect(error).toMatchObject({ kind, retryable });
    expect(error.message).toContain('transit/exkey');
    expect(error.message).toContain(says);
    expect(error.cause).toBeUndefined();
  });

  it('should map any non-transient data key failure to unknown-key', async () => {
    const provider = createVaultTransitProvider({ vault: failingVault(http(400, 'key type not supported')), mount: 'transit', key: 'exkey' });
    expect(await failure(provider.generateDataKey(CONTEXT))).toMatchObject({ kind: 'unknown-key', retryable: false });
  });

  it('should treat a data key response without key or ciphertext as a provider bug', async () => {
    const provider = createVaultTransitProvider({ vault: failingVault(new Error('unused'), { data: { plaintext: 'AAAA' } }), mount: 'transit', key: 'exkey' });
    expect(await failure(provider.generateDataKey(CONTEXT))).toMatchObject({ kind: 'provider-unavailable', retryable: false });
  });

  it('should refuse malformed key references and wrapped keys without calling Vault', async () => {
    const unwrapper = createVaultTransitUnwrapper({ vault: failingVault(new Error('must not be called')) });
    for (const keyRef of ['transit/exkey', 'vault-transit:exkey', 'vault-transit:/exkey', 'vault-transit:sys/exkey', 'vault-transit:a/../b/exkey', 'vault-transit:transit/ex key']) {
      expect(await failure(unwrapper.unwrap(WRAPPED, keyRef, CONTEXT))).toMatchObject({ kind: 'malformed' });
    }
    expect(await failure(unwrapper.unwrap(Buffer.from('not-a-ciphertext'), 'vault-transit:transit/exkey', CONTEXT))).toMatchObject({ kind: 'malformed' });
  });

  it('should round-trip key references, nested mounts included', () => {
    expect(vaultTransitKeyRef({ mount: 'team/transit', key: 'bybit.mm_key-1' })).toBe('vault-transit:team/transit/bybit.mm_key-1');
    expect(parseVaultTransitKeyRef('vault-transit:team/transit/bybit.mm_key-1')).toEqual({ mount: 'team/transit', key: 'bybit.mm_key-1' });
    expect(() => createVaultTransitProvider({ vault: failingVault(new Error('x')), mount: 'auth', key: 'k' })).toThrow(/system path/);
  });
});

describe('Kubernetes auth failures', () => {
  it('should say that the login failed, and map a refused login to unknown-key and an unreachable Vault to retryable', async () => {
    for (const [status, kind, retryable] of [[403, 'unknown-key', false], [undefined, 'provider-unavailable', true]] as const) {
      const transport: VaultTransport = (call) =>
        Promise.reject(new VaultRequestError({ method: call.method, path: call.path, status, errors: [status === 403 ? 'permission denied' : 'ECONNREFUSED'] }));
      const client = createVaultClient({ address: 'http://v', auth: { method: 'kubernetes', role: 'exkey', jwtPath: 't' }, clock: new FakeClock(), transport, readFile: files({ t: 'jwt' }).read });
      const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key: 'exkey' });
      const error = await failure(provider.generateDataKey(CONTEXT));
      expect(error).toMatchObject({ kind, retryable });
      expect(error.message).toContain('Kubernetes auth login as role "exkey" at auth/kubernetes/login failed');
    }
  });
});
