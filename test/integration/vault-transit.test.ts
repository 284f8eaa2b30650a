// The vault-transit envelope provider and the Vault KV v2 mirror against a real Vault dev server
// (test/support/vault.ts: Vault v1.14.8 built from the Go module proxy and cached), with exkey's
// real sealEnvelope/openEnvelope. Kubernetes auth runs against the local control plane: Vault
// checks the service-account JWT with the API server's TokenReview.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { openEnvelope, providersByName, sealEnvelope, type EnvelopeContext, type EnvelopeError } from '../../src/crypto/index.ts';
import {
  createVaultClient,
  nodeVaultTransport,
  vaultClientFromEnv,
  type VaultClient,
  type VaultTransport,
} from '../../src/crypto/providers/vault-client.ts';
import {
  VAULT_TRANSIT_PROVIDER,
  createVaultTransitProvider,
  createVaultTransitUnwrapper,
  vaultTransitContext,
} from '../../src/crypto/providers/vault-transit.ts';
import { KV_META_EXCHANGE_KEY, KV_META_KEY_VERSION, readKvMirror, writeKvMirror, type KvMirrorError } from '../../src/controllers/mirror/vault-kv.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { createTestNamespace, kubeConfigFromPath, type TestNamespace } from '../support/kube.ts';
import { DERIVED_KEY, PLAIN_KEY, startVaultDev, type VaultDev } from '../support/vault.ts';
import { editEnvelope, failure } from '../unit/crypto/support/fixtures.ts';

const CONTEXT: EnvelopeContext = { namespace: 'trading', name: 'bybit-mm-key', version: 3 };
const PLAINTEXT = Buffer.from('{"apiKey":"XKTESTKEY0001","apiSecret":"test-only-not-a-real-secret"}');
// A cold Vault build takes about 10 minutes on 2 cores; later runs find it cached.
const BUILD_TIMEOUT_MS = 1_800_000;

/** A VaultClient that records "METHOD path" of every call. */
function counting(inner: VaultClient): VaultClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    address: inner.address,
    calls,
    request: (method, path, body) => {
      calls.push(`${method} ${path}`);
      return inner.request(method, path, body);
    },
  };
}

function tokenClient(vault: VaultDev, token = vault.rootToken): VaultClient {
  return createVaultClient({ address: vault.address, auth: { method: 'token', token }, clock: systemClock });
}

/** Rewrites one base64 character of the `vault:vN:<base64>` wrapped key to another valid one. */
function alterWrappedKey(envelope: string): string {
  return editEnvelope(envelope, (f) => {
    const text = Buffer.from(f.wrappedKey as string, 'base64').toString('utf8');
    const at = text.lastIndexOf(':') + 10;
    const swapped = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    return { ...f, wrappedKey: Buffer.from(swapped, 'utf8').toString('base64') };
  });
}

/** Every spelling of the secrets that must never appear in an error. */
function expectClean(error: Error, secrets: (Buffer | string)[]): void {
  const rendered = [error.message, String(error), JSON.stringify(error), error.stack ?? ''].join('\n');
  for (const secret of secrets) {
    const spellings = typeof secret === 'string' ? [secret] : [secret.toString('base64'), secret.toString('hex'), secret.toString('utf8')];
    for (const spelling of spellings) expect(rendered).not.toContain(spelling);
  }
  expect(rendered).not.toContain('test-only-not-a-real-secret');
  expect(rendered).not.toMatch(/vault:v\d+:[A-Za-z0-9+/]{8}/);
}

let vault: VaultDev;

beforeAll(async () => {
  vault = await startVaultDev();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await (vault as VaultDev | undefined)?.stop();
});

describe('vault-transit provider', () => {
  it.each([
    { key: DERIVED_KEY, derived: true },
    { key: PLAIN_KEY, derived: false },
  ])('should seal and open an envelope with the $key transit key (derived: $derived)', async ({ key }) => {
    const client = tokenClient(vault);
    const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key });
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, provider);
    const fields = JSON.parse(envelope);
    expect(fields.provider).toBe(VAULT_TRANSIT_PROVIDER);
    expect(fields.keyRef).toBe(`vault-transit:transit/${key}`);
    expect(Buffer.from(fields.wrappedKey, 'base64').toString('utf8')).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    // A reader needs only the unwrapper (and decrypt rights), not the sealing provider.
    const reader = providersByName([createVaultTransitUnwrapper({ vault: tokenClient(vault) })]);
    expect((await openEnvelope(envelope, CONTEXT, reader)).equals(PLAINTEXT)).toBe(true);
  });

  it('should bind the context inside Vault for derived keys and through the envelope AAD for all keys', async () => {
    const client = tokenClient(vault);
    const other = { ...CONTEXT, name: 'other-key' };
    for (const key of [DERIVED_KEY, PLAIN_KEY]) {
      const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key });
      const { dataKey, wrappedKey, keyRef } = await provider.generateDataKey(CONTEXT);
      expect(dataKey).toHaveLength(32);
      expect((await provider.unwrap(wrappedKey, keyRef, CONTEXT)).equals(dataKey)).toBe(true);
      if (key === DERIVED_KEY) {
        // Vault derived a per-object key from the context: another context cannot unwrap.
        const error = await failure(provider.unwrap(wrappedKey, keyRef, other));
        expect(error.kind).toBe('tampered');
        expect(error.message).toContain('transit key transit/exkey');
      } else {
        // A non-derived key ignores the context; the envelope AAD is what binds (next test).
        expect((await provider.unwrap(wrappedKey, keyRef, other)).equals(dataKey)).toBe(true);
      }
    }
    // The derivation context is the documented length-prefixed encoding.
    expect(Buffer.from(vaultTransitContext(CONTEXT), 'base64').toString('hex')).toBe(
      '00000016' + Buffer.from('exkey.io/vault-transit').toString('hex') + '00000001' +
        '00000007' + Buffer.from('trading').toString('hex') + '0000000c' + Buffer.from('bybit-mm-key').toString('hex') + '00000003',
    );
  });

  it.each([DERIVED_KEY, PLAIN_KEY])('should refuse an envelope moved to another Secret or version (%s key)', async (key) => {
    const client = tokenClient(vault);
    const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key });
    const lookup = providersByName([provider]);
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, provider);
    const moves: EnvelopeContext[] = [
      { ...CONTEXT, name: 'other-key' },
      { ...CONTEXT, namespace: 'other-ns' },
      { ...CONTEXT, version: 4 },
    ];
    for (const target of moves) {
      // Clear fields untouched: caught early as context-mismatch.
      expect((await failure(openEnvelope(envelope, target, lookup))).kind).toBe('context-mismatch');
      // Clear fields rewritten to match: the binding (Vault's derivation, the AAD) catches it.
      const moved = editEnvelope(envelope, (f) => ({ ...f, ns: target.namespace, name: target.name, version: target.version }));
      expect((await failure(openEnvelope(moved, target, lookup))).kind).toBe('tampered');
    }
  });

  it.each([DERIVED_KEY, PLAIN_KEY])('should report tampered ciphertext, wrapped key or key reference as tampered (%s key)', async (key) => {
    const client = tokenClient(vault);
    const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key });
    const lookup = providersByName([provider]);
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, provider);
    const otherKey = key === DERIVED_KEY ? PLAIN_KEY : DERIVED_KEY;
    const alterations = {
      ct: editEnvelope(envelope, (f) => {
        const ct = Buffer.from(f.ct as string, 'base64');
        ct[0]! ^= 1;
        return { ...f, ct: ct.toString('base64') };
      }),
      wrappedKey: alterWrappedKey(envelope),
      keyRef: editEnvelope(envelope, (f) => ({ ...f, keyRef: `vault-transit:transit/${otherKey}` })),
    };
    for (const [what, altered] of Object.entries(alterations)) {
      const error = await failure(openEnvelope(altered, CONTEXT, lookup));
      expect({ what, kind: error.kind }).toEqual({ what, kind: 'tampered' });
      expectClean(error, [PLAINTEXT]);
    }
  });

  it('should report an unknown transit key, mount or missing permission as unknown-key, not retryable', async () => {
    const client = tokenClient(vault);
    const missingKey = createVaultTransitProvider({ vault: client, mount: 'transit', key: 'no-such-key' });
    const sealError = await failure(sealEnvelope(PLAINTEXT, CONTEXT, missingKey));
    expect(sealError).toMatchObject({ kind: 'unknown-key', retryable: false });
    expect(sealError.message).toContain('transit/no-such-key');

    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, createVaultTransitProvider({ vault: client, mount: 'transit', key: DERIVED_KEY }));
    const lookup = providersByName([createVaultTransitUnwrapper({ vault: client })]);
    for (const keyRef of ['vault-transit:transit/no-such-key', 'vault-transit:no-such-mount/exkey']) {
      const error = await failure(openEnvelope(editEnvelope(envelope, (f) => ({ ...f, keyRef })), CONTEXT, lookup));
      expect(error).toMatchObject({ kind: 'unknown-key', retryable: false });
      expect(error.message).toContain(keyRef.slice('vault-transit:'.length));
      expectClean(error, [PLAINTEXT]);
    }

    // A token whose policy allows decrypt only: it can open, but not seal (403 → unknown-key).
    await vault.admin('PUT', 'sys/policies/acl/exkey-reader', {
      policy: `path "transit/decrypt/${DERIVED_KEY}" { capabilities = ["update"] }`,
    });
    const created = await vault.admin('POST', 'auth/token/create', { policies: ['exkey-reader'], no_default_policy: true, ttl: '10m' });
    const reader = tokenClient(vault, created.auth.client_token);
    const opened = await openEnvelope(envelope, CONTEXT, providersByName([createVaultTransitUnwrapper({ vault: reader })]));
    expect(opened.equals(PLAINTEXT)).toBe(true);
    const denied = await failure(sealEnvelope(PLAINTEXT, CONTEXT, createVaultTransitProvider({ vault: reader, mount: 'transit', key: DERIVED_KEY })));
    expect(denied).toMatchObject({ kind: 'unknown-key', retryable: false });
    expect(denied.message).toMatch(/transit\/exkey.*HTTP 403: permission denied.*read on transit\/keys\/exkey/);

    // An allowlist of mounts stops a forged keyRef before any Vault call.
    const guarded = counting(client);
    const allow = providersByName([createVaultTransitUnwrapper({ vault: guarded, allowedMounts: ['transit'] })]);
    const forged = editEnvelope(envelope, (f) => ({ ...f, keyRef: 'vault-transit:secret/exkey' }));
    expect((await failure(openEnvelope(forged, CONTEXT, allow))).kind).toBe('unknown-key');
    expect(guarded.calls).toEqual([]);
  });

  it('should make exactly one Vault call per seal and per open (the key config is read once)', async () => {
    const client = counting(tokenClient(vault));
    const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key: DERIVED_KEY });
    const lookup = providersByName([provider]);
    const envelopes: string[] = [];
    for (let version = 1; version <= 3; version++) {
      envelopes.push(await sealEnvelope(PLAINTEXT, { ...CONTEXT, version }, provider));
    }
    expect(client.calls).toEqual([
      'GET transit/keys/exkey',
      'POST transit/datakey/plaintext/exkey',
      'POST transit/datakey/plaintext/exkey',
      'POST transit/datakey/plaintext/exkey',
    ]);
    // A second provider on the same client (the operator builds one per reconcile) reuses the cache.
    const again = createVaultTransitProvider({ vault: client, mount: 'transit', key: DERIVED_KEY });
    await sealEnvelope(PLAINTEXT, CONTEXT, again);
    expect(client.calls.slice(4)).toEqual(['POST transit/datakey/plaintext/exkey']);
    client.calls.length = 0;
    for (const [i, envelope] of envelopes.entries()) {
      await openEnvelope(envelope, { ...CONTEXT, version: i + 1 }, lookup);
    }
    expect(client.calls).toEqual(Array(3).fill('POST transit/decrypt/exkey'));
  });

  it('should authenticate with VAULT_TOKEN, and re-read a token file after a 403', async () => {
    const fromEnv = await vaultClientFromEnv({ env: { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken }, clock: systemClock });
    const provider = createVaultTransitProvider({ vault: fromEnv!, mount: 'transit', key: PLAIN_KEY });
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, provider);
    expect((await openEnvelope(envelope, CONTEXT, providersByName([provider]))).equals(PLAINTEXT)).toBe(true);
    expect(await vaultClientFromEnv({ env: {}, clock: systemClock })).toBeUndefined();

    const dir = mkdtempSync(join(tmpdir(), 'exkey-vault-token-'));
    try {
      const tokenFile = join(dir, 'token');
      const first = await vault.admin('POST', 'auth/token/create', { policies: ['root'], ttl: '10m' });
      writeFileSync(tokenFile, `${first.auth.client_token}\n`);
      const client = await vaultClientFromEnv({ env: { VAULT_ADDR: vault.address, EXKEY_VAULT_TOKEN_FILE: tokenFile }, clock: systemClock });
      const fileProvider = createVaultTransitProvider({ vault: client!, mount: 'transit', key: PLAIN_KEY });
      await sealEnvelope(PLAINTEXT, CONTEXT, fileProvider);
      // The token is revoked and its replacement written, as Vault Agent would do.
      await vault.admin('POST', 'auth/token/revoke', { token: first.auth.client_token });
      const second = await vault.admin('POST', 'auth/token/create', { policies: ['root'], ttl: '10m' });
      writeFileSync(tokenFile, second.auth.client_token);
      const sealed = await sealEnvelope(PLAINTEXT, CONTEXT, fileProvider);
      expect((await openEnvelope(sealed, CONTEXT, providersByName([fileProvider]))).equals(PLAINTEXT)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should report a sealed or stopped Vault as provider-unavailable, retryable', async () => {
    const spare = await startVaultDev();
    try {
      const client = tokenClient(spare);
      const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key: DERIVED_KEY });
      const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, provider);
      const lookup = providersByName([provider]);

      await spare.admin('PUT', 'sys/seal');
      const sealedError = await failure(openEnvelope(envelope, CONTEXT, lookup));
      expect(sealedError).toMatchObject({ kind: 'provider-unavailable', retryable: true });
      expect(sealedError.message).toContain('Vault is sealed');

      await spare.stop();
      const errors: EnvelopeError[] = [
        await failure(openEnvelope(envelope, CONTEXT, lookup)),
        await failure(sealEnvelope(PLAINTEXT, { ...CONTEXT, version: 4 }, provider)),
      ];
      for (const error of errors) {
        expect(error).toMatchObject({ kind: 'provider-unavailable', retryable: true });
        expect(error.message).toContain('could not be reached (ECONNREFUSED)');
        expectClean(error, [PLAINTEXT, spare.rootToken]);
      }
    } finally {
      await spare.stop();
    }
  });
});

describe('Vault KV v2 mirror', () => {
  const location = { mount: 'secret', path: 'exkey/trading/bybit-mm-key' };
  const owner = { namespace: 'trading', name: 'bybit-mm-key' };
  const material = (version: number): Record<string, string | number> => ({
    version,
    exchange: 'bybit',
    apiKey: `XKTESTKEY000${version}`,
    apiSecret: `test-only-secret-${version}`,
    createdAt: `2026-01-0${version}T00:00:00Z`,
  });

  it('should write one KV version per key version and read each back', async () => {
    const client = tokenClient(vault);
    for (const version of [1, 2, 3]) {
      expect(await writeKvMirror(client, location, material(version), owner)).toEqual({ kvVersion: version, written: true });
    }
    // A retried write of the same key version does not add a KV version.
    expect(await writeKvMirror(client, location, material(3), owner)).toEqual({ kvVersion: 3, written: false });
    for (const version of [1, 2, 3]) {
      const entry = await readKvMirror(client, location, version);
      expect(entry.material).toEqual(material(version));
      expect(entry.kvVersion).toBe(version);
      expect(entry.createdTime).not.toBe('');
    }
    expect((await readKvMirror(client, location)).material).toEqual(material(3));

    const meta = await vault.admin('GET', `secret/metadata/${location.path}`);
    expect(meta.data.custom_metadata).toEqual({
      'exkey.io/managed-by': 'exkey',
      [KV_META_EXCHANGE_KEY]: 'trading/bybit-mm-key',
      [KV_META_KEY_VERSION]: '3',
      'exkey.io/exchange': 'bybit',
    });
    expect(JSON.stringify(meta)).not.toContain('test-only-secret');
  });

  it('should report a missing path, a missing version and a denied write clearly', async () => {
    const client = tokenClient(vault);
    const missing = { mount: 'secret', path: 'exkey/trading/never-written' };
    await expect(readKvMirror(client, missing)).rejects.toMatchObject({ kind: 'not-found', retryable: false });
    await expect(readKvMirror(client, missing, 1)).rejects.toMatchObject({ kind: 'not-found' });
    await writeKvMirror(client, { mount: 'secret', path: 'exkey/trading/one' }, material(1));
    await expect(readKvMirror(client, { mount: 'secret', path: 'exkey/trading/one' }, 7)).rejects.toMatchObject({ kind: 'not-found' });

    const created = await vault.admin('POST', 'auth/token/create', { policies: ['default'], ttl: '10m' });
    const denied = (await writeKvMirror(tokenClient(vault, created.auth.client_token), location, material(4)).catch((e: unknown) => e)) as KvMirrorError;
    expect(denied).toMatchObject({ kind: 'denied', retryable: false });
    expect(denied.message).toContain('secret/exkey/trading/bybit-mm-key');
    expect(denied.message).not.toContain('test-only-secret');
  });
});

describe('Kubernetes auth', () => {
  let ns: TestNamespace;
  let bindingName: string;
  let rbac: RbacAuthorizationV1Api;
  let dir: string;

  beforeAll(async () => {
    const kc = kubeConfigFromPath(inject('kubeconfigPath'));
    ns = await createTestNamespace(kc, 'vault');
    dir = mkdtempSync(join(tmpdir(), 'exkey-vault-k8s-'));
    const core = kc.makeApiClient(CoreV1Api);
    rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'exkey-operator' } } });
    // Vault reviews the JWT with the JWT itself (no reviewer token configured), so the service
    // account needs system:auth-delegator, as the Vault docs describe for this mode.
    bindingName = `exkey-vault-review-${ns.name}`;
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: bindingName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
        subjects: [{ kind: 'ServiceAccount', name: 'exkey-operator', namespace: ns.name }],
      },
    });
    const request = await core.createNamespacedServiceAccountToken({
      name: 'exkey-operator',
      namespace: ns.name,
      body: { spec: { expirationSeconds: 3600 } },
    });
    writeFileSync(join(dir, 'token'), request.status?.token ?? '');

    const cluster = kc.getCurrentCluster()!;
    const caCert = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : undefined;
    await vault.admin('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
    await vault.admin('POST', 'auth/kubernetes/config', {
      kubernetes_host: cluster.server,
      kubernetes_ca_cert: caCert,
      disable_local_ca_jwt: true,
    });
    await vault.admin('PUT', 'sys/policies/acl/exkey-operator', {
      policy: [
        `path "transit/keys/${DERIVED_KEY}" { capabilities = ["read"] }`,
        `path "transit/datakey/plaintext/${DERIVED_KEY}" { capabilities = ["update"] }`,
        `path "transit/decrypt/${DERIVED_KEY}" { capabilities = ["update"] }`,
      ].join('\n'),
    });
    await vault.admin('POST', 'auth/kubernetes/role/exkey', {
      bound_service_account_names: ['exkey-operator'],
      bound_service_account_namespaces: [ns.name],
      token_policies: ['exkey-operator'],
      token_ttl: 600,
    });
  });

  afterAll(async () => {
    await (rbac as RbacAuthorizationV1Api | undefined)?.deleteClusterRoleBinding({ name: bindingName }).catch(() => undefined);
    await (ns as TestNamespace | undefined)?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should log in with the service-account JWT, seal and open, and log in again before the token TTL', async () => {
    const clock = new FakeClock();
    const transport = nodeVaultTransport({ address: vault.address });
    const logins: unknown[] = [];
    const recording: VaultTransport = (call) => {
      if (call.path === 'auth/kubernetes/login') logins.push(call.body);
      return transport(call);
    };
    const client = createVaultClient({
      address: vault.address,
      auth: { method: 'kubernetes', role: 'exkey', jwtPath: join(dir, 'token') },
      clock,
      transport: recording,
    });
    const provider = createVaultTransitProvider({ vault: client, mount: 'transit', key: DERIVED_KEY });
    const lookup = providersByName([provider]);
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, provider);
    expect((await openEnvelope(envelope, CONTEXT, lookup)).equals(PLAINTEXT)).toBe(true);
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ role: 'exkey', jwt: expect.stringMatching(/^eyJ/) });

    // The Vault token lives 600 s: exkey replaces it at 75 % of that, not after it expired.
    await clock.advance(400_000);
    await openEnvelope(envelope, CONTEXT, lookup);
    expect(logins).toHaveLength(1);
    await clock.advance(60_000);
    await openEnvelope(envelope, CONTEXT, lookup);
    expect(logins).toHaveLength(2);

    // The policy is scoped to one key: another key is unknown-key, not a retry loop.
    const other = createVaultTransitProvider({ vault: client, mount: 'transit', key: PLAIN_KEY });
    expect(await failure(sealEnvelope(PLAINTEXT, CONTEXT, other))).toMatchObject({ kind: 'unknown-key', retryable: false });
  });
});
