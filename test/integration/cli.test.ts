// The commands a user types, run as real processes: `exkey dev` brings a sample key to Ready on
// its own control plane, and `exkey operator` shuts down cleanly on SIGTERM.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestNamespace, kubeConfigFromPath, waitFor, type TestNamespace } from '../support/kube.ts';

const CLI = join(import.meta.dirname, '../../src/cli.ts');

function run(args: string[]): { child: ChildProcessByStdio<null, Readable, Readable>; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exit = new Promise<number | null>((resolve) => { child.once('exit', (code) => { resolve(code); }); });
  return { child, output: () => out, exit };
}

describe('exkey dev (the README quick start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exkey-dev-'));

  afterAll(async () => {
    await run(['env', 'down', '--dir', dir]).exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('should bring the sample ExchangeKey to Ready on a fresh local control plane', async () => {
    const dev = run(['dev', '--env-dir', dir, '--exit-when-ready', '--simulator-port', '0', '--log-level', 'warn']);
    const code = await dev.exit;
    expect(dev.output()).toContain('trading/bybit-market-maker is Ready');
    expect(dev.output()).toContain('kubectl get xk -A');
    expect(code).toBe(0);
  }, 240_000);
});

describe('exkey operator', () => {
  let ns: TestNamespace;

  beforeAll(async () => {
    ns = await createTestNamespace(kubeConfigFromPath(inject('kubeconfigPath')), 'cli');
  });

  afterAll(async () => {
    await ns.cleanup();
  });

  it('should stop cleanly on SIGTERM after its caches synced', async () => {
    const op = run(['operator', '--kubeconfig', inject('kubeconfigPath'), '--namespace', ns.name,
      '--watch-namespaces', ns.name, '--health-port', '0']);
    await waitFor(() => op.output().includes('exkey operator started'), { description: 'operator start', timeoutMs: 30_000 });
    const port = Number(/"port":(\d+)/.exec(op.output())?.[1]);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    op.child.kill('SIGTERM');
    expect(await op.exit).toBe(0);
    expect(op.output()).toContain('exkey operator stopped');
  }, 60_000);
});
