// A real AWS-protocol KMS endpoint for tests: moto's server on a free loopback port, one per call,
// with its own in-memory keys. Nothing global is set: tests pass `clientConfig` to the SDK.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateAliasCommand, CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';

const INSTALL_HINT = "install it with: python3 -m pip install 'moto[server]'";
const READY_TIMEOUT_MS = 30_000;

/** Region and fake credentials moto accepts; pass them (and `endpoint`) to the SDK client. */
export const MOTO_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
} as const;

/** A running moto server. */
export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** MOTO_CLIENT_CONFIG plus `endpoint`, ready for `new KMSClient(...)` or kmsClient(...). */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Stops the server (idempotent); its endpoint then refuses connections. */
  stop(): Promise<void>;
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

interface Launch {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; error?: Error }>;
}

function launch(command: string, args: string[]): Launch {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => {
      resolve({ code: null, error });
    });
    child.once('exit', (code) => {
      resolve({ code });
    });
  });
  return { child, output, exited };
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

// Waits until moto answers HTTP; resolves with why it will not (exited, or timed out), or undefined.
async function waitReady(endpoint: string, run: Launch): Promise<string | undefined> {
  let exit: { code: number | null; error?: Error } | undefined;
  void run.exited.then((e) => {
    exit = e;
  });
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (exit !== undefined) {
      return exit.error !== undefined ? exit.error.message : `exited with code ${exit.code}`;
    }
    if (await answers(endpoint)) return undefined;
    await sleep(100);
  }
  return `did not answer within ${READY_TIMEOUT_MS / 1000} s`;
}

async function stopChild(run: Launch): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGTERM');
  const exited = await Promise.race([run.exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!exited) {
    run.child.kill('SIGKILL');
    await run.exited;
  }
}

/**
 * Starts `moto_server` (or, when that command is absent, `python3 -m moto.server`) on a free
 * loopback port and waits until it answers. Fails with an install hint when moto is missing.
 */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const attempts: [string, string[]][] = [
    ['moto_server', ['-H', '127.0.0.1', '-p', String(port)]],
    ['python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)]],
  ];
  const failures: string[] = [];
  for (const [command, args] of attempts) {
    const run = launch(command, args);
    const problem = await waitReady(endpoint, run);
    if (problem === undefined) {
      let stopped: Promise<void> | undefined;
      return {
        endpoint,
        clientConfig: { ...MOTO_CLIENT_CONFIG, credentials: { ...MOTO_CLIENT_CONFIG.credentials }, endpoint },
        stop: () => (stopped ??= stopChild(run)),
      };
    }
    await stopChild(run);
    const tail = run.output.join('').trim().split('\n').slice(-5).join('\n');
    failures.push(`\`${command} ${args.join(' ')}\`: ${problem}${tail ? `\n${tail}` : ''}`);
  }
  throw new Error(`could not start a moto server (needed for the aws-kms tests); ${INSTALL_HINT}\n${failures.join('\n')}`);
}

/** Creates a symmetric encryption key (and `alias`, e.g. "alias/exkey-test", pointing at it); returns its ARN. */
export async function createKmsKey(client: KMSClient, alias?: string): Promise<string> {
  const created = await client.send(new CreateKeyCommand({ Description: 'exkey test key' }));
  const { Arn: arn, KeyId: keyId } = created.KeyMetadata ?? {};
  if (arn === undefined || keyId === undefined) throw new Error('CreateKey returned no key ARN');
  if (alias !== undefined) {
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  }
  return arn;
}

/**
 * Counts the HTTP requests `client` sends, by operation name (one per attempt: the middleware sits
 * below the retry loop). Returns the live tally.
 */
export function countKmsRequests(client: KMSClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName ?? 'unknown';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'exkeyTestCountRequests' },
  );
  return counts;
}
