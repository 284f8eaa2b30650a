// The same ExchangeKey lifecycle with each envelope provider against a real server (moto for AWS
// KMS, a Vault dev server for Transit, the local ring), the Secret in the API server never holding
// plaintext; every version mirrored to Vault KV when asked; and what happens when the KMS key is
// wrong or KMS or Vault is unreachable: a clear condition and Event, nothing lost.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kmsClient } from '../../src/crypto/providers/aws-kms.ts';
import { createVaultClient, type VaultClient } from '../../src/crypto/providers/vault-client.ts';
import { readKvMirror } from '../../src/controllers/mirror/vault-kv.ts';
import type { OperatorOptions } from '../../src/operator.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { DERIVED_KEY, startVaultDev, type VaultDev } from '../support/vault.ts';
import type { KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { createKmsKey, freePort, startMoto, type MotoServer } from '../support/moto.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';
import { createSecretVolume } from '../support/secret-volume.ts';

let moto: MotoServer;
let vault: VaultDev;
let h: Harness;
let keyArn: string;

function vaultAt(address: string): VaultClient {
  return createVaultClient({ address, auth: { method: 'token', token: vault.rootToken }, clock: systemClock, requestTimeoutMs: 2000 });
}

/** The operator's settings with every provider reachable. */
function reachable(): Partial<OperatorOptions> {
  return { kms: moto.clientConfig, vault: vaultAt(vault.address) };
}

beforeAll(async () => {
  [moto, vault] = await Promise.all([startMoto(), startVaultDev()]);
  keyArn = await createKmsKey(kmsClient(moto.clientConfig), 'alias/exkey-test');
  h = await startHarness({ operator: reachable() });
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
}, 1_800_000);

afterAll(async () => {
  await h.stop();
  await moto.stop();
  await vault.stop();
});

async function accepted(m: KeyMaterial): Promise<boolean> {
  try {
    const res = await new RestClientV5({ key: m.apiKey, secret: m.apiSecret ?? '', baseUrl: h.sim.url }).getQueryApiKey();
    return res.retCode === 0;
  } catch {
    return false; // bybit-api rejects a refused key (HTTP 401)
  }
}

function envelopeOf(secretData: Record<string, string> | undefined): { provider: string; keyRef: string } {
  return JSON.parse(Buffer.from(secretData?.envelope ?? '', 'base64').toString()) as { provider: string; keyRef: string };
}

describe.each([
  { provider: 'local', encryption: { provider: 'local' as const } },
  { provider: 'aws-kms', encryption: { provider: 'aws-kms' as const, awsKms: { keyId: 'alias/exkey-test' } } },
  { provider: 'vault-transit', encryption: { provider: 'vault-transit' as const, vaultTransit: { key: DERIVED_KEY } } },
])('lifecycle with provider $provider', ({ provider, encryption }) => {
  const name = `life-${provider}`;

  it('should issue, publish an envelope with no plaintext, rotate and revoke', async () => {
    await h.createKey(name, { rotationPolicyRef: { name: 'quick' }, secret: { encryption } });
    await h.waitForCondition(name, { type: 'Ready', status: 'True' });
    const secret = await h.getSecret(name);
    const envelope = envelopeOf(secret?.data);
    expect(envelope.provider).toBe(provider);
    if (provider === 'aws-kms') expect(envelope.keyRef).toBe(keyArn);
    if (provider === 'vault-transit') expect(envelope.keyRef).toBe(`vault-transit:transit/${DERIVED_KEY}`);
    const v1 = await h.readMaterial(name);
    for (const s of [v1.apiKey, ...secretsOf(v1)]) expect(JSON.stringify(secret)).not.toContain(s);
    expect(await accepted(v1)).toBe(true);

    await h.annotate(name, { 'exkey.io/rotate': 'r1' });
    await h.waitForVersion(name, 2);
    const v2 = await h.readMaterial(name);
    expect(await accepted(v2)).toBe(true);
    expect(await accepted(v1)).toBe(false);
    const stored = JSON.stringify(await h.getSecret(name));
    for (const s of [v2.apiKey, ...secretsOf(v2)]) expect(stored).not.toContain(s);
  });
});

describe('bad encryption settings and an unreachable KMS', () => {
  it('should report a KMS key that does not exist, and write nothing', async () => {
    await h.createKey('wrong-key', { secret: { encryption: { provider: 'aws-kms', awsKms: { keyId: 'alias/does-not-exist' } } } });
    const key = await h.waitForCondition('wrong-key', { type: 'Ready', status: 'False', reason: 'EncryptionFailed' });
    const message = key.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
    expect(message).toContain('alias/does-not-exist');
    expect((await h.events('wrong-key')).some((e) => e.type === 'Warning' && e.reason === 'EncryptionFailed')).toBe(true);
    expect(await h.getSecret('wrong-key')).toBeUndefined();
    // Every key the exchange created for it was taken back: nothing stays live without a record.
    const live = h.sim.state.listKeys().filter((k) => !k.deleted && k.note.startsWith(`xk${key.metadata.uid.replaceAll('-', '').slice(0, 10)}`));
    expect(live).toEqual([]);
  });

  it.each([
    {
      what: 'KMS', name: 'kms-down',
      encryption: () => ({ provider: 'aws-kms' as const, awsKms: { keyId: keyArn } }),
      down: async (): Promise<Partial<OperatorOptions>> => ({
        ...reachable(), kms: { ...moto.clientConfig, endpoint: `http://127.0.0.1:${await freePort()}`, requestTimeoutMs: 1000, maxAttempts: 1 },
      }),
    },
    {
      what: 'Vault', name: 'vault-down',
      encryption: () => ({ provider: 'vault-transit' as const, vaultTransit: { key: DERIVED_KEY } }),
      down: async (): Promise<Partial<OperatorOptions>> => ({ ...reachable(), vault: vaultAt(`http://127.0.0.1:${await freePort()}`) }),
    },
  ])('should keep the published Secret untouched and readable when $what is unreachable during a rotation', async ({ name, encryption, down }) => {
    await h.createKey(name, { rotationPolicyRef: { name: 'quick' }, secret: { encryption: encryption() } });
    await h.waitForCondition(name, { type: 'Ready', status: 'True' });
    const before = await h.getSecret(name);
    const v1 = await h.readMaterial(name);
    // The operator loses the provider: restarted pointing at a port where nothing listens.
    await h.stopOperator();
    await h.startOperator({ operator: await down() });
    await h.annotate(name, { 'exkey.io/rotate': 'r1' });

    const degraded = await h.waitForCondition(name, { type: 'Degraded', status: 'True', reason: 'EncryptionFailed' }, 60_000);
    expect(degraded.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(degraded.status?.currentVersion).toBe(1);
    expect((await h.events(name)).some((e) => e.type === 'Warning' && e.reason === 'EncryptionFailed')).toBe(true);
    expect((await h.getSecret(name))?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    expect((await h.readMaterial(name)).apiKey).toBe(v1.apiKey);
    expect(await accepted(v1)).toBe(true);

    // The provider back: the rotation completes.
    await h.stopOperator();
    await h.startOperator({ operator: reachable() });
    await h.waitForVersion(name, 2, 90_000);
  });
});

describe('Vault KV mirror', () => {
  it('should write every key version to KV before publishing it, readable back for a restore', async () => {
    await h.createKey('mirrored', { rotationPolicyRef: { name: 'quick' }, secret: { vaultKvMirror: {} } });
    await h.waitForCondition('mirrored', { type: 'Ready', status: 'True' });
    const admin = vaultAt(vault.address);
    const location = { mount: 'secret', path: `exkey/${h.namespace}/mirrored` };
    const v1 = await h.readMaterial('mirrored');
    expect((await readKvMirror(admin, location, 1)).material).toMatchObject({ version: 1, apiKey: v1.apiKey, apiSecret: v1.apiSecret, exchange: 'bybit' });

    await h.annotate('mirrored', { 'exkey.io/rotate': 'r1' });
    await h.waitForVersion('mirrored', 2);
    const v2 = await h.readMaterial('mirrored');
    expect((await readKvMirror(admin, location, 2)).material).toMatchObject({ version: 2, apiKey: v2.apiKey, apiSecret: v2.apiSecret });
    expect((await readKvMirror(admin, location, 1)).material.apiKey).toBe(v1.apiKey);
    const meta = await admin.request('GET', `secret/metadata/exkey/${h.namespace}/mirrored`);
    expect(meta.data).toMatchObject({ custom_metadata: { 'exkey.io/key-version': '2', 'exkey.io/exchange-key': `${h.namespace}/mirrored` } });
  });

  it('should restore a lost Secret from the mirror with exkey restore-secret, accepted by the operator without a rotation', async () => {
    // Continues from the previous test: 'mirrored' is at version 2.
    const v2 = await h.readMaterial('mirrored');
    const before = await h.getKey('mirrored');
    await h.stopOperator();
    await h.kube.send({ method: 'DELETE', path: `/api/v1/namespaces/${h.namespace}/secrets/mirrored` });
    const env = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken };
    const base = ['--namespace', h.namespace, '--exchange-key', 'mirrored', '--operator-namespace', h.namespace, '--kubeconfig', inject('kubeconfigPath')];

    // Another version than the current one would only trigger a rotation: refused.
    const stale = await runCli(['restore-secret', ...base, '--version', '1'], env);
    expect(stale).toMatchObject({ code: 1 });
    expect(stale.output).toContain('is not status.currentVersion (2)');

    const restored = await runCli(['restore-secret', ...base], env);
    expect(restored).toMatchObject({ code: 0 });
    expect(restored.output).toContain(`restored Secret ${h.namespace}/mirrored at key version 2`);
    for (const secret of [v2.apiKey, ...secretsOf(v2)]) expect(restored.output).not.toContain(secret);
    // A second run never overwrites the Secret it (or anyone) wrote.
    expect((await runCli(['restore-secret', ...base], env)).output).toContain('exists; exkey never overwrites it');

    await h.startOperator({ operator: reachable() });
    await h.waitForCondition('mirrored', { type: 'Ready', status: 'True' });
    expect((await h.readMaterial('mirrored')).apiKey).toBe(v2.apiKey);
    // Give the operator time to act on the restored Secret, then check it left it alone.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = await h.getKey('mirrored');
    expect(after?.status?.currentVersion).toBe(2);
    expect(after?.status?.rotation).toBeUndefined();
    expect(after?.status?.lastRotationTime).toBe(before?.status?.lastRotationTime);
    expect((await h.events('mirrored')).filter((e) => e.reason === 'SecretLost' || e.reason === 'SecretTampered')).toEqual([]);
  });

  it('should hold publication with MirrorFailed while the mirror cannot be written, and publish once it can', async () => {
    await h.createKey('mirror-denied', { secret: { vaultKvMirror: { mount: 'kv-later' } } });
    const key = await h.waitForCondition('mirror-denied', { type: 'Ready', status: 'False', reason: 'MirrorFailed' }, 60_000);
    expect(key.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain('kv-later');
    expect((await h.events('mirror-denied')).some((e) => e.type === 'Warning' && e.reason === 'MirrorFailed')).toBe(true);
    expect(await h.getSecret('mirror-denied')).toBeUndefined();

    await vault.admin('POST', 'sys/mounts/kv-later', { type: 'kv', options: { version: '2' } });
    await h.waitForCondition('mirror-denied', { type: 'Ready', status: 'True' }, 90_000);
    const material = await h.readMaterial('mirror-denied');
    const mirrored = await readKvMirror(vaultAt(vault.address), { mount: 'kv-later', path: `exkey/${h.namespace}/mirror-denied` }, 1);
    expect(mirrored.material.apiKey).toBe(material.apiKey);
  });
});

const CLI = join(import.meta.dirname, '../../src/cli.ts');

/** Runs `exkey <args>` with only `env` (and PATH); resolves with its exit code and everything it printed. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  return new Promise((resolve) => { child.on('exit', (code) => { resolve({ code, output }); }); });
}

/** Runs `exkey agent --once` as an init container would. */
async function runAgentOnce(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const { code, output } = await runCli(['agent', '--once', ...args], env);
  return { code, stderr: output };
}

describe('exkey agent with cloud providers', () => {
  it.each([
    {
      provider: 'aws-kms',
      encryption: { provider: 'aws-kms' as const, awsKms: { keyId: 'alias/exkey-test' } },
      flags: (): string[] => ['--kms-endpoint', moto.clientConfig.endpoint],
      env: (): Record<string, string> => ({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' }),
    },
    {
      provider: 'vault-transit',
      encryption: { provider: 'vault-transit' as const, vaultTransit: { key: DERIVED_KEY } },
      flags: (): string[] => ['--vault-transit-mounts', 'transit'],
      env: (): Record<string, string> => ({ VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken }),
    },
  ])('should decrypt a $provider Secret into plain files with the pod\'s own credentials', async ({ provider, encryption, flags, env }) => {
    const name = `agent-${provider}`;
    await h.createKey(name, { secret: { encryption } });
    await h.waitForCondition(name, { type: 'Ready', status: 'True' });
    const material = await h.readMaterial(name);
    const tmp = await mkdtemp(join(tmpdir(), 'exkey-agent-'));
    try {
      const source = await createSecretVolume(join(tmp, 'source'), (await h.getSecret(name))?.data ?? {});
      const target = join(tmp, 'target'); // the pod's memory-backed emptyDir
      await mkdir(target);
      const args = ['--source', source.dir, '--target', target, '--secret-name', name, '--namespace', h.namespace, '--provider', provider, ...flags()];
      const { code, stderr } = await runAgentOnce(args, env());
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
      expect(await readFile(join(target, 'apiKey'), 'utf8')).toBe(material.apiKey);
      expect(await readFile(join(target, 'apiSecret'), 'utf8')).toBe(material.apiSecret);
      expect(await readFile(join(target, 'version'), 'utf8')).toBe('1');
      // The agent's output never carries the key material.
      for (const secret of secretsOf(material)) expect(stderr).not.toContain(secret);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('should refuse to start the vault-transit provider without VAULT_ADDR', async () => {
    const { code, stderr } = await runAgentOnce(['--source', '/nonexistent', '--target', '/nonexistent', '--secret-name', 'x', '--namespace', 'y', '--provider', 'vault-transit'], {});
    expect(code).toBe(2);
    expect(stderr).toContain('needs VAULT_ADDR');
  });
});
