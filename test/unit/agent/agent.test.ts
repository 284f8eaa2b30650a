// runAgent and `exkey agent`: init-container and sidecar modes over a kubelet-like Secret volume.
import { mkdir, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAgent, runAgentCommand, type Agent, type AgentProvider } from '../../../src/agent/index.ts';
import { localKeyRingUnwrapper } from '../../../src/client/index.ts';
import type { MasterKeyRing } from '../../../src/crypto/index.ts';
import { createLogger, type Logger } from '../../../src/observability/logger.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { createSecretVolume, type SecretVolume } from '../../support/secret-volume.ts';
import { NAME, NS, masterKeyStrings, material, overlap, ring, sealed, secretStrings, tamper, tempDir } from '../client/support/fixtures.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let keys: MasterKeyRing;
let source: SecretVolume;
let target: string;
let lines: string[];
let logger: Logger;
let clock: FakeClock;
let agent: Agent | undefined;

beforeEach(async () => {
  dir = await tempDir('exkey-agent-');
  keys = ring();
  target = join(dir.path, 'target');
  await mkdir(target);
  lines = [];
  logger = createLogger({ level: 'debug', destination: { write: (line: string) => { lines.push(line); } } });
  clock = new FakeClock();
});

afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await dir.cleanup();
});

async function mount(data: Record<string, string>): Promise<void> {
  source = await createSecretVolume(join(dir.path, 'source'), data);
}

function start(once: boolean): Promise<Agent> {
  return runAgent({ source: source.dir, target, namespace: NS, secretName: NAME, unwrappers: [localKeyRingUnwrapper({ ring: keys })], once, clock, logger });
}

/** The files as a reader sees them through `..data` (one consistent set; per-key links appear just after the swap). */
async function written(): Promise<Record<string, string>> {
  const dir = join(target, '..data');
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const)));
}

async function writtenVersion(version: string): Promise<void> {
  await expect.poll(async () => (await written()).version, { timeout: 5_000 }).toBe(version);
}

function expectNoSecretsLogged(...extra: string[]): void {
  const log = lines.join('\n');
  for (const secret of [...secretStrings(material(1), material(2)), ...masterKeyStrings(keys), ...extra]) expect(log).not.toContain(secret);
}

describe('runAgent in once mode (init container)', () => {
  it('should write the plain files with mode 0400 and leave nothing running', async () => {
    await mount(await sealed(material(1, { passphrase: 'test-only-pass' }), keys));
    agent = await start(true);
    expect(agent.writtenVersion()).toBe(1);
    expect(await written()).toEqual({ version: '1', apiKey: 'XKTESTKEY0001', apiSecret: 'test-only-secret-v1-0f3c9a7d41e2', passphrase: 'test-only-pass' });
    const live = join(target, await readlink(join(target, '..data')));
    for (const name of await readdir(live)) expect((await stat(join(live, name))).mode & 0o777).toBe(0o400);
    expect(clock.pendingTimers()).toBe(0);
    expectNoSecretsLogged('test-only-pass');
  });

  it('should write previous.* too when the Secret is in an overlap', async () => {
    await mount(overlap(await sealed(material(2), keys), await sealed(material(1), keys)));
    agent = await start(true);
    expect(await written()).toMatchObject({ version: '2', 'previous.version': '1', 'previous.apiKey': 'XKTESTKEY0001' });
  });

  it('should reject and write nothing when the first version cannot be opened', async () => {
    await mount(tamper(await sealed(material(1), keys)));
    await expect(start(true)).rejects.toMatchObject({ kind: 'tampered' });
    expect(await readdir(target)).toEqual([]);
  });
});

describe('runAgent in sidecar mode', () => {
  it('should follow a rotation: new version with previous.*, then previous.* gone after the overlap', async () => {
    const v1 = await sealed(material(1), keys);
    const v2 = await sealed(material(2), keys);
    await mount(v1);
    agent = await start(false);
    await source.update(overlap(v2, v1));
    await writtenVersion('2');
    expect(await written()).toMatchObject({ apiKey: 'XKTESTKEY0002', 'previous.apiKey': 'XKTESTKEY0001', 'previous.version': '1' });
    await source.update(v2);
    await expect.poll(async () => Object.keys(await written()).sort(), { timeout: 5_000 }).toEqual(['apiKey', 'apiSecret', 'version']);
    expect(agent.writtenVersion()).toBe(2);
    expectNoSecretsLogged();
  });

  it('should keep the old files when the new version is tampered, log why, and take the next good one', async () => {
    await mount(await sealed(material(1), keys));
    agent = await start(false);
    await source.update(tamper(await sealed(material(2), keys)));
    await expect.poll(() => lines.some((l) => l.includes('"kind":"tampered"')), { timeout: 5_000 }).toBe(true);
    expect((await written()).version).toBe('1');
    await source.update(await sealed(material(2), keys));
    await writtenVersion('2');
    expectNoSecretsLogged();
  });
});

describe('runAgent when the target cannot be written', () => {
  it('should log the failure and write again after a backoff', async () => {
    await mount(await sealed(material(1), keys));
    agent = await start(false);
    await rm(target, { recursive: true });
    await writeFile(target, 'not a directory');
    await source.update(await sealed(material(2), keys));
    await expect.poll(() => lines.some((l) => l.includes('cannot write the exchange key files')), { timeout: 5_000 }).toBe(true);
    await rm(target);
    await mkdir(target);
    await clock.advance(1_000);
    await writtenVersion('2');
    expectNoSecretsLogged();
  });
});

describe('exkey agent (command line)', () => {
  // A `local` provider over the test ring: the same extension point aws-kms and vault-transit use.
  const providers = (): Record<string, AgentProvider> => ({
    local: { description: 'test ring', options: {}, create: () => ({ unwrappers: [localKeyRingUnwrapper({ ring: keys })], close: () => Promise.resolve() }) },
    none: { description: 'plain', options: {}, create: () => ({ unwrappers: [], close: () => Promise.resolve() }) },
  });
  const base = (): string[] => ['--source', source.dir, '--target', target, '--secret-name', NAME];

  it.each([
    { what: '--source is missing', argv: () => ['--target', target, '--secret-name', NAME, '--namespace', NS], says: '--source is required' },
    { what: 'no namespace is given and POD_NAMESPACE is unset', argv: () => base(), says: '--namespace is required' },
    { what: 'the provider is unknown', argv: () => [...base(), '--namespace', NS, '--provider', 'gcp-kms'], says: '--provider must be one of' },
    { what: 'an option is unknown', argv: () => [...base(), '--namespace', NS, '--bogus'], says: 'bogus' },
    { what: '--poll-seconds is not a number', argv: () => [...base(), '--namespace', NS, '--poll-seconds', 'soon'], says: '--poll-seconds' },
  ])('should exit 2 with a usage message when $what', async ({ argv, says }) => {
    await mount(await sealed(material(1), keys));
    let usage = '';
    const code = await runAgentCommand(argv(), { providers: providers(), env: {}, logger, clock, usage: (text) => { usage += text; } });
    expect(code).toBe(2);
    expect(usage).toContain(says);
    expect(usage).toContain('usage: exkey agent');
  });

  it('should take the namespace from POD_NAMESPACE, write once and exit 0 with --once', async () => {
    await mount(await sealed(material(1), keys));
    const code = await runAgentCommand([...base(), '--once'], { providers: providers(), env: { POD_NAMESPACE: NS }, logger, clock });
    expect(code).toBe(0);
    expect((await written()).version).toBe('1');
  });

  it('should exit 1 and log the error kind when the key cannot be opened', async () => {
    await mount(await sealed(material(1), keys));
    const code = await runAgentCommand([...base(), '--once', '--namespace', NS, '--provider', 'none'], { providers: providers(), env: {}, logger, clock });
    expect(code).toBe(1);
    expect(lines.some((l) => l.includes('"kind":"unknown-key"'))).toBe(true);
    expectNoSecretsLogged();
  });

  it('should keep running as a sidecar until stopped, then exit 0', async () => {
    await mount(await sealed(material(1), keys));
    let stop: (() => Promise<void>) | undefined;
    let release: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => { release = resolve; });
    const running = runAgentCommand([...base(), '--namespace', NS], {
      providers: providers(), env: {}, logger, clock,
      untilStopped: async (s) => { stop = s; await stopped; await s(); },
    });
    await expect.poll(() => stop !== undefined, { timeout: 5_000 }).toBe(true);
    await source.update(overlap(await sealed(material(2), keys), await sealed(material(1), keys)));
    await writtenVersion('2');
    release();
    expect(await running).toBe(0);
  });
});

describe('the built-in providers', () => {
  it('should offer local with keyring options and none, in the usage text', async () => {
    let usage = '';
    expect(await runAgentCommand(['--namespace', NS], { env: {}, usage: (text) => { usage += text; } })).toBe(2);
    expect(usage).toMatch(/local .*\n.*--keyring-namespace --keyring-secret/);
    expect(usage).toContain('none');
  });
});
