// `exkey operator` as a real child process, for tests that must kill it (SIGKILL) mid-rotation.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { waitFor } from './kube.ts';

const CLI = join(import.meta.dirname, '../../src/cli.ts');

// Output of every operator process this test file started, for the harness's secret scan.
const started: (() => string)[] = [];

/** Everything every operator process started by this test file printed. */
export function operatorProcessOutputs(): string[] {
  return started.map((output) => output());
}

/** A running operator process. */
export interface OperatorProcess {
  output(): string;
  /** Resolves with the signal or exit code once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL (no clean-up at all) and wait. */
  kill(): Promise<void>;
}

/** Extra flags, and the log line that means "started" (a standby never logs 'exkey operator started'). */
export interface OperatorProcessOptions {
  args?: string[];
  readyLine?: string;
}

/** Starts `exkey operator` on one namespace and waits until its caches have synced (or `readyLine`). */
export async function startOperatorProcess(
  kubeconfig: string,
  namespace: string,
  env: Record<string, string> = {},
  options: OperatorProcessOptions = {},
): Promise<OperatorProcess> {
  const readyLine = options.readyLine ?? 'exkey operator started';
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [
    CLI, 'operator', '--kubeconfig', kubeconfig, '--namespace', namespace, '--watch-namespaces', namespace,
    '--health-port', '0', '--log-level', 'debug', ...(options.args ?? []),
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  started.push(() => out);
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => { resolve({ code, signal }); });
  });
  const state = { ended: false };
  void exited.then(() => { state.ended = true; });
  await waitFor(() => out.includes(readyLine) || state.ended, { description: 'operator process start', timeoutMs: 30_000 });
  if (!out.includes(readyLine)) throw new Error(`operator exited during start:\n${out.slice(-3000)}`);
  return {
    output: () => out,
    exited,
    async stop() {
      if (!state.ended) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (!state.ended) child.kill('SIGKILL');
      await exited;
    },
  };
}
