// Platform plumbing for the local control plane: spawning binaries with their output in a log
// file, checking whether a pid still runs the binary we started, and stopping it for sure.
// Nothing here knows about Kubernetes; the recipe lives in components.ts.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './wait.ts';

/** What to run and where its output goes. */
export interface ProcessSpec {
  name: string;
  bin: string;
  args: string[];
  logPath: string;
  /** Extra environment on top of the parent's. */
  env?: Record<string, string>;
  /** Own session, survives the parent (env up); otherwise see startWatchdog. */
  detached?: boolean;
}

/** A process we started: enough to find and stop it again, also from another process. */
export interface ProcessRecord {
  name: string;
  pid: number;
  bin: string;
  logPath: string;
}

/** A running child; `exited` resolves with its exit code or signal name when it ends. */
export interface RunningProcess extends ProcessRecord {
  exited: Promise<string>;
  hasExited(): boolean;
}

/** Starts a binary with stdout and stderr appended to spec.logPath; rejects if it cannot start. */
export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  mkdirSync(dirname(spec.logPath), { recursive: true });
  const fd = openSync(spec.logPath, 'a');
  try {
    const child = spawn(spec.bin, spec.args, {
      stdio: ['ignore', fd, fd],
      detached: spec.detached === true,
      env: { ...process.env, ...spec.env },
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${spec.name}: no pid after spawn`);
    let done = false;
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, sig) => {
        done = true;
        resolve(sig ?? String(code));
      });
    });
    if (spec.detached === true) child.unref();
    return { name: spec.name, pid, bin: spec.bin, logPath: spec.logPath, exited, hasExited: () => done };
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

// A pid from a state file may have been reused by an unrelated process after a reboot or crash;
// only a pid whose command line still starts with our binary counts as ours.
function commandLine(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Zombies have exited; they only wait for their parent to reap them.
    if (stat.charAt(stat.lastIndexOf(')') + 2) === 'Z') return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    if (process.platform === 'linux') return undefined;
  }
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and still runs `bin` (guards against pid reuse). */
export function isRunning(record: Pick<ProcessRecord, 'pid' | 'bin'>): boolean {
  const cmd = commandLine(record.pid);
  return cmd !== undefined && cmd.startsWith(record.bin);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(record: Pick<ProcessRecord, 'pid' | 'bin'>, graceMs = 10_000): Promise<void> {
  if (!isRunning(record)) return;
  signal(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(record)) {
    if (Date.now() >= deadline) {
      signal(record.pid, 'SIGKILL');
      await waitGone(record);
      return;
    }
    await sleep(50);
  }
}

async function waitGone(record: Pick<ProcessRecord, 'pid' | 'bin'>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (isRunning(record) && Date.now() < deadline) await sleep(20);
  if (isRunning(record)) throw new Error(`pid ${record.pid} (${record.bin}) survived SIGKILL`);
}

/** Handle on a watchdog process: tell it what to guard, close it after a clean stop. */
export interface Watchdog {
  watch(record: Pick<ProcessRecord, 'pid' | 'bin'>): void;
  close(): void;
}

/**
 * Starts watchdog.ts in its own session, connected to us by a pipe: when the pipe closes, for
 * whatever reason this process ends, the watchdog stops every process it was told to watch. So a
 * non-detached control plane never outlives its parent, even one killed with SIGKILL.
 */
export async function startWatchdog(logPath: string): Promise<Watchdog> {
  mkdirSync(dirname(logPath), { recursive: true });
  const fd = openSync(logPath, 'a');
  const script = fileURLToPath(new URL('./watchdog.ts', import.meta.url));
  try {
    const child = spawn(process.execPath, [script], { stdio: ['pipe', fd, fd], detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    // Neither the process nor the pipe may keep our event loop alive.
    child.unref();
    if (child.stdin instanceof Socket) child.stdin.unref();
    return {
      watch: (record) => { child.stdin?.write(`${record.pid} ${record.bin}\n`); },
      close: () => { child.stdin?.end(); },
    };
  } finally {
    closeSync(fd);
  }
}
