// What the Dockerfile puts in the runtime image (package.json, src/, crds/ and the production
// dependencies only, no dev dependencies, run by Node 24) is enough to run exkey: the operator
// starts against the real control plane, and the simulator and version commands work. Built here
// without Docker: a directory holding exactly those files, with links to the production packages.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestNamespace, kubeConfigFromPath, waitFor, type TestNamespace } from '../support/kube.ts';

const ROOT = join(import.meta.dirname, '../..');
let app: string;
let ns: TestNamespace;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'exkey-image-'));
  for (const entry of IMAGE_FILES) cpSync(join(ROOT, entry), join(app, entry), { recursive: true });
  // `npm ci --omit=dev` in the image: the production dependency tree, nothing else.
  const prod = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
    .split('\n').map((p) => p.slice(ROOT.length + 1)).filter((p) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(p));
  for (const pkg of new Set(prod)) {
    mkdirSync(dirname(join(app, pkg)), { recursive: true });
    symlinkSync(join(ROOT, pkg), join(app, pkg));
  }
  ns = await createTestNamespace(kubeConfigFromPath(inject('kubeconfigPath')), 'image');
}, 120_000);

afterAll(async () => {
  await ns.cleanup();
  rmSync(app, { recursive: true, force: true });
});

function exkey(args: string[]): string {
  return execFileSync(process.execPath, ['src/cli.ts', ...args], { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' } });
}

const IMAGE_FILES = ['package.json', 'src', 'crds'];

describe('the runtime image contents', () => {
  it('should be what the Dockerfile copies: these files, production dependencies, a non-root user', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const copied = [...finalStage.matchAll(/^COPY (?!--from)(\S+) \S+$/gm)].map((m) => m[1]);
    expect(copied.sort()).toEqual([...IMAGE_FILES].sort());
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(finalStage).toMatch(/^USER (?!0|root)\d+/m);
  });

  it('should hold no dev dependency', () => {
    expect(exkey(['version']).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(() => execFileSync(process.execPath, ['-e', "import('vitest')"], { cwd: app, stdio: 'ignore' })).toThrow();
  });

  it('should run the operator against a cluster with production dependencies only', async () => {
    const child = spawn(process.execPath, ['src/cli.ts', 'operator', '--kubeconfig', inject('kubeconfigPath'), '--namespace', ns.name, '--watch-namespaces', ns.name, '--health-port', '0'], {
      cwd: app, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await waitFor(() => out.includes('exkey operator started') || child.exitCode !== null, { description: 'operator start', timeoutMs: 60_000 });
      expect(out).toContain('exkey operator started');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => { child.once('exit', resolve); });
    }
  });

  it('should run a venue simulator', async () => {
    const child = spawn(process.execPath, ['src/cli.ts', 'simulator', 'bybit', '--port', '0', '--master-key', 'IMAGEMASTERKEY0001', '--master-secret', 'image-master-secret'], {
      cwd: app, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await waitFor(() => /listening on http:\/\/\S+/.test(out) || child.exitCode !== null, { description: 'simulator start', timeoutMs: 30_000 });
      expect(out).toMatch(/bybit simulator listening on http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => { child.once('exit', resolve); });
    }
  });
});
