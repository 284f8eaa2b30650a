// `exkey env up|down|status|kubeconfig`: a long-lived local control plane for development,
// started detached so it outlives the command, and found again through <dir>/state.json.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './binaries.ts';
import { startControlPlane } from './control-plane.ts';
import { checkHealth, type HealthReport } from './health.ts';
import { readState, stopFromState, writeState, type ControlPlaneState } from './state.ts';

/** Where output goes (stdout for results, stderr for progress); injectable for tests. */
export interface EnvIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: EnvIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Default directory of the development environment. */
export const defaultEnvDir: string = join(repoRoot, '.exkey', 'env');
/** Default extra copy of the admin kubeconfig written by `up`. */
export const defaultKubeconfigCopy: string = join(repoRoot, '.exkey', 'kubeconfig');

const usage = `usage: exkey env <up|down|status|kubeconfig> [--dir DIR] [--nodes N] [--kubeconfig-out PATH]
  up          start a detached local control plane (no-op if one is healthy in DIR)
  down        stop it and remove its state
  status      print its health (exit 1 if not running or unhealthy)
  kubeconfig  print the path of its admin kubeconfig
  --dir             environment directory (default ${defaultEnvDir})
  --nodes           fake nodes to create on up (default 2)
  --kubeconfig-out  where up also copies the kubeconfig; '' for nowhere (default ${defaultKubeconfigCopy})
`;

interface EnvArgs {
  command: string | undefined;
  dir: string;
  nodes: number;
  kubeconfigOut: string;
}

function parse(argv: string[]): EnvArgs | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string', default: defaultEnvDir },
      nodes: { type: 'string', default: '2' },
      'kubeconfig-out': { type: 'string', default: defaultKubeconfigCopy },
    },
  });
  const nodes = Number(values.nodes);
  if (positionals.length !== 1 || !Number.isInteger(nodes) || nodes < 1) return undefined;
  return { command: positionals[0], dir: resolve(values.dir), nodes, kubeconfigOut: values['kubeconfig-out'] };
}

function printHealth(io: EnvIo, state: ControlPlaneState, report: HealthReport): void {
  io.out(`environment in ${state.dir}: ${report.healthy ? 'healthy' : 'UNHEALTHY'}\n`);
  for (const c of report.checks) io.out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
}

function printWhere(io: EnvIo, state: ControlPlaneState): void {
  const copies = state.kubeconfigCopies ?? [];
  io.out(`server:     ${state.server}\nkubeconfig: ${state.kubeconfigPath}\n`);
  for (const copy of copies) io.out(`copied to:  ${copy}\n`);
  io.out(`use it:     export KUBECONFIG=${copies[0] ?? state.kubeconfigPath}\n`);
}

function copyKubeconfig(state: ControlPlaneState, target: string): ControlPlaneState {
  if (target === '') return state;
  const path = resolve(target);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, readFileSync(state.kubeconfigPath), { mode: 0o600 });
  const next = { ...state, kubeconfigCopies: [...new Set([...(state.kubeconfigCopies ?? []), path])] };
  writeState(next);
  return next;
}

async function up(args: EnvArgs, io: EnvIo): Promise<number> {
  const existing = readState(args.dir);
  if (existing !== undefined) {
    const report = await checkHealth(existing);
    if (report.healthy) {
      io.out(`already running (started ${existing.startedAt})\n`);
      printWhere(io, copyKubeconfig(existing, args.kubeconfigOut));
      return 0;
    }
    io.err(`stale environment in ${args.dir} (${report.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}); restarting it\n`);
    await stopFromState(args.dir);
  }
  const cp = await startControlPlane({ dir: args.dir, detached: true, nodes: args.nodes, log: (line) => { io.err(`[env] ${line}\n`); } });
  const state = readState(cp.dir);
  if (state === undefined) throw new Error(`no state file in ${cp.dir} after start`);
  io.out(`control plane up in ${(cp.startupMs / 1000).toFixed(1)} s\n`);
  printWhere(io, copyKubeconfig(state, args.kubeconfigOut));
  return 0;
}

// A copy is removed only if it is still ours: the user may have replaced it since.
function removeCopies(state: ControlPlaneState): void {
  const original = existsSync(state.kubeconfigPath) ? readFileSync(state.kubeconfigPath, 'utf8') : undefined;
  for (const copy of state.kubeconfigCopies ?? []) {
    if (existsSync(copy) && readFileSync(copy, 'utf8') === original) rmSync(copy);
  }
}

async function down(args: EnvArgs, io: EnvIo): Promise<number> {
  const state = readState(args.dir);
  if (state === undefined) {
    io.out(`no environment recorded in ${args.dir}; nothing to stop\n`);
    return 0;
  }
  removeCopies(state);
  await stopFromState(args.dir);
  io.out(`stopped ${state.processes.map((p) => p.name).join(', ')}; logs kept in ${join(args.dir, 'logs')}\n`);
  return 0;
}

async function status(args: EnvArgs, io: EnvIo): Promise<number> {
  const state = readState(args.dir);
  if (state === undefined) {
    io.out(`not running (no state in ${args.dir})\n`);
    return 1;
  }
  const report = await checkHealth(state);
  printHealth(io, state, report);
  return report.healthy ? 0 : 1;
}

function kubeconfig(args: EnvArgs, io: EnvIo): number {
  const state = readState(args.dir);
  if (state === undefined) {
    io.err(`not running (no state in ${args.dir}); run: exkey env up\n`);
    return 1;
  }
  io.out(`${state.kubeconfigPath}\n`);
  return 0;
}

const commands: Record<string, (args: EnvArgs, io: EnvIo) => Promise<number> | number> = { up, down, status, kubeconfig };

/** Runs `exkey env ...` (argv without "env") and returns the process exit code; 2 on bad usage. */
export async function runEnvCommand(argv: string[], io: EnvIo = defaultIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(usage);
    return 0;
  }
  let args: EnvArgs | undefined;
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n`);
  }
  const run = args?.command === undefined ? undefined : commands[args.command];
  if (args === undefined || run === undefined) {
    io.err(usage);
    return 2;
  }
  try {
    return await run(args, io);
  } catch (err) {
    io.err(`exkey env ${args.command}: ${(err as Error).message}\n`);
    return 1;
  }
}
