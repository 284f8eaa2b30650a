// A real Vault dev server for integration tests: the binary built (once per machine, cached) by
// scripts/build-vault.sh, run as `vault server -dev` on a free loopback port with a random root
// token, with the transit engine enabled and two keys: `exkey` (derived) and `plain` (not).
// KV v2 is mounted at secret/ by dev mode itself; startVaultDev checks it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const buildVaultScript = join(repoRoot, 'scripts', 'build-vault.sh');

/** Transit keys every dev server gets. */
export const DERIVED_KEY = 'exkey';
export const PLAIN_KEY = 'plain';

export interface VaultDev {
  /** http://127.0.0.1:<port> */
  address: string;
  rootToken: string;
  /** Raw admin call with the root token; throws on a non-2xx status. `path` has no /v1 prefix. */
  admin(method: string, path: string, body?: unknown): Promise<any>;
  /** The server's log (stdout and stderr). */
  logPath: string;
  /** Kills the server (SIGTERM, then SIGKILL after 5 s) and removes its files. Idempotent. */
  stop(): Promise<void>;
}

let binaryPath: Promise<string> | undefined;

/** Path of the cached Vault binary, building it on first use (10+ minutes on a cold machine). */
export function vaultBinary(): Promise<string> {
  binaryPath ??= new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [buildVaultScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.once('error', reject);
    child.once('exit', (code) => {
      const path = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && path !== '') resolve(path);
      else reject(new Error(`${buildVaultScript} exited with ${code}`));
    });
  }).catch((error: unknown) => {
    binaryPath = undefined;
    throw error;
  });
  return binaryPath;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => { resolve(port); });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitHealthy(address: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`vault dev server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${logTail(logPath)}`);
    }
    try {
      const res = await fetch(`${address}/v1/sys/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`vault dev server at ${address} not healthy after 60 s:\n${logTail(logPath)}`);
}

function adminClient(address: string, token: string): VaultDev['admin'] {
  return async (method, path, body) => {
    const res = await fetch(`${address}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`vault ${method} ${path}: HTTP ${res.status} ${text}`);
    const parsed: Record<string, any> = text === '' ? {} : JSON.parse(text);
    return parsed;
  };
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      if (process.env.EXKEY_TEST_KEEP_ENV !== '1') rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

/** Starts a dev server with transit enabled and keys `exkey` (derived) and `plain`; call stop() when done. */
export async function startVaultDev(): Promise<VaultDev> {
  const binary = await vaultBinary();
  const dir = mkdtempSync(join(tmpdir(), 'exkey-vault-'));
  const port = await freePort();
  const rootToken = `root-${randomBytes(12).toString('hex')}`;
  const address = `http://127.0.0.1:${port}`;
  const logPath = join(dir, 'vault.log');
  const log = openSync(logPath, 'a');
  const child = spawn(
    binary,
    ['server', '-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${port}`, '-dev-no-store-token', '-log-level=warn'],
    // HOME points at the temp dir so nothing (token helper, plugin cache) touches the user's files.
    { stdio: ['ignore', log, log], env: { PATH: process.env.PATH ?? '', HOME: dir } },
  );
  closeSync(log);
  const stop = stopper(child, dir);
  try {
    await waitHealthy(address, child, logPath);
    const admin = adminClient(address, rootToken);
    await admin('POST', 'sys/mounts/transit', { type: 'transit' });
    await admin('POST', `transit/keys/${DERIVED_KEY}`, { derived: true });
    await admin('POST', `transit/keys/${PLAIN_KEY}`, {});
    const mounts = await admin('GET', 'sys/mounts');
    const secret = mounts.data?.['secret/'] ?? mounts['secret/'];
    if (secret?.type !== 'kv' || secret?.options?.version !== '2') {
      throw new Error(`vault dev server has no kv-v2 at secret/: ${JSON.stringify(secret)}`);
    }
    return { address, rootToken, admin, logPath, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
