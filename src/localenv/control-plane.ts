// Starts a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok)
// from cached binaries, with fake nodes that are Ready, and stops it again without leftovers.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBinaries, type BinPaths } from './binaries.ts';
import { apiserverSpec, controllerManagerSpec, etcdSpec, kwokSpec, schedulerSpec, type ComponentSpec } from './components.ts';
import { writeBootstrapFiles, writeClientFiles } from './files.ts';
import { componentNames, layoutOf, type ComponentName, type Layout, type Ports } from './layout.ts';
import { createFakeNodes, kubeConfigFromFile, waitForDefaultServiceAccount, waitForNodesReady } from './nodes.ts';
import { caFromSelfSignedCert } from './pki.ts';
import { isOk } from './probe.ts';
import { startProcess, startWatchdog, type ProcessRecord, type RunningProcess, type Watchdog } from './process.ts';
import { stageFiles } from './stages.ts';
import { stopProcesses, writeState, type ControlPlaneState } from './state.ts';
import { freePorts, waitUntil } from './wait.ts';

/** How to start a control plane. */
export interface StartOptions {
  /** Directory for data, credentials, kubeconfig, logs and state.json; wiped first. */
  dir: string;
  /** Processes survive this one (for `exkey env up`); stop them with stopFromState(dir). */
  detached?: boolean;
  /** Number of fake nodes (default 2). */
  nodes?: number;
  /** Progress lines (default: discarded). */
  log?: (line: string) => void;
  /** Skip the build script (tests that already resolved the binaries). */
  binaries?: BinPaths;
  /** Budget for every readiness wait (default 60 s). */
  timeoutMs?: number;
  /** SIGTERM-to-SIGKILL grace period used by stop() (default 10 s). */
  stopGraceMs?: number;
}

/** A running control plane. */
export interface ControlPlane {
  dir: string;
  /** Admin kubeconfig (group system:masters, TLS verified against the API server's CA). */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  ports: Ports;
  pids: Record<ComponentName, number>;
  processes: ProcessRecord[];
  /** Milliseconds from the call to everything Ready (binaries already cached). */
  startupMs: number;
  /** Stops every process (reverse order, SIGTERM then SIGKILL) and removes state.json. */
  stop(): Promise<void>;
}

interface Run {
  layout: Layout;
  detached: boolean;
  started: RunningProcess[];
  log: (line: string) => void;
  watchdog?: Watchdog;
  /** Called after each launch, so a start killed half-way still leaves a state to clean up. */
  recorded: () => void;
}

async function launch(run: Run, spec: ComponentSpec): Promise<RunningProcess> {
  const proc = await startProcess({ ...spec, logPath: run.layout.log(spec.name), detached: run.detached });
  run.started.push(proc);
  run.watchdog?.watch(proc);
  run.recorded();
  run.log(`started ${spec.name} (pid ${proc.pid})`);
  return proc;
}

// Any component dying during start-up fails the start at once, pointing at its log.
function crashed(run: Run): string | undefined {
  const dead = run.started.find((p) => p.hasExited());
  return dead && `${dead.name} exited during start-up; see ${dead.logPath}`;
}

async function startApiserver(run: Run, bins: BinPaths, ports: Ports, timeoutMs: number): Promise<string> {
  const { layout } = run;
  await launch(run, etcdSpec(bins, layout, ports));
  await launch(run, apiserverSpec(bins, layout, ports));
  const abortIf = (): string | undefined => crashed(run);
  // The serving cert appears in --cert-dir before the server listens; retry while it is written.
  return waitUntil(() => Promise.resolve(caFromSelfSignedCert(join(layout.certDir('kube-apiserver'), 'apiserver.crt'))),
    { timeoutMs, intervalMs: 100, description: 'the API server self-signed serving cert', abortIf });
}

async function waitHealthy(run: Run, url: string, caPem: string, timeoutMs: number): Promise<void> {
  await waitUntil(() => isOk(url, caPem), { timeoutMs, intervalMs: 100, description: url, abortIf: () => crashed(run) });
}

// The controller manager's and scheduler's own self-signed certs: probe their /healthz with TLS verified.
async function waitComponentHealthy(run: Run, name: 'kube-controller-manager' | 'kube-scheduler', port: number, timeoutMs: number): Promise<void> {
  const cert = join(run.layout.certDir(name), `${name}.crt`);
  const ca = await waitUntil(() => Promise.resolve(caFromSelfSignedCert(cert)),
    { timeoutMs, intervalMs: 100, description: `${name} serving cert`, abortIf: () => crashed(run) });
  await waitHealthy(run, `https://127.0.0.1:${port}/healthz`, ca, timeoutMs);
}

async function choosePorts(): Promise<Ports> {
  const [etcdClient = 0, etcdPeer = 0, apiserver = 0, controllerManager = 0, scheduler = 0] = await freePorts(5);
  return { etcdClient, etcdPeer, apiserver, controllerManager, scheduler };
}

// Start-up wipes the directory; a marker file makes sure it only ever wipes one of ours
// (a mistyped --dir must not delete someone's home directory).
const marker = '.exkey-localenv';
function resetDir(layout: Layout): void {
  const entries = existsSync(layout.dir) ? readdirSync(layout.dir) : [];
  if (entries.length > 0 && !entries.includes(marker)) {
    throw new Error(`refusing to wipe ${layout.dir}: not empty and not a local control-plane directory`);
  }
  rmSync(layout.dir, { recursive: true, force: true });
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(layout.dir, marker), 'created by exkey (src/localenv); wiped on every start\n');
}

function pidsOf(processes: ProcessRecord[]): Record<ComponentName, number> {
  const pids = Object.fromEntries(componentNames.map((n) => [n, 0])) as Record<ComponentName, number>;
  for (const p of processes) pids[p.name as ComponentName] = p.pid;
  return pids;
}

async function bringUp(run: Run, bins: BinPaths, ports: Ports, options: StartOptions): Promise<void> {
  const { layout } = run;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const ids = writeBootstrapFiles(layout);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const caPem = await startApiserver(run, bins, ports, timeoutMs);
  writeClientFiles(layout, server, caPem, ids);
  await waitUntil(() => isOk(`${server}/readyz`, caPem, ids.admin.token),
    { timeoutMs, intervalMs: 100, description: `${server}/readyz`, abortIf: () => crashed(run) });
  run.log('kube-apiserver ready');
  await Promise.all([
    launch(run, controllerManagerSpec(bins, layout, ports)),
    launch(run, schedulerSpec(bins, layout, ports)),
    launch(run, kwokSpec(bins, layout, stageFiles(bins.kwokStagesDir))),
  ]);
  const kc = kubeConfigFromFile(layout.kubeconfig);
  const nodes = await createFakeNodes(kc, options.nodes ?? 2);
  const abortIf = (): string | undefined => crashed(run);
  const step = async (what: string, wait: Promise<void>): Promise<void> => {
    await wait;
    run.log(what);
  };
  await Promise.all([
    step(`nodes ${nodes.join(', ')} Ready`, waitForNodesReady(kc, nodes, { timeoutMs, abortIf })),
    step('ServiceAccount default/default exists', waitForDefaultServiceAccount(kc, 'default', { timeoutMs, abortIf })),
    step('kube-controller-manager healthy', waitComponentHealthy(run, 'kube-controller-manager', ports.controllerManager, timeoutMs)),
    step('kube-scheduler healthy', waitComponentHealthy(run, 'kube-scheduler', ports.scheduler, timeoutMs)),
  ]);
}

/**
 * Starts a fresh control plane in options.dir (wiping what was there) and resolves once the API
 * server is ready, the controller manager and scheduler are healthy and the fake nodes are Ready.
 * On failure, everything started is stopped and the error names the log to read.
 */
export async function startControlPlane(options: StartOptions): Promise<ControlPlane> {
  const t0 = Date.now();
  const bins = options.binaries ?? await ensureBinaries();
  const layout = layoutOf(resolve(options.dir));
  resetDir(layout);
  const ports = await choosePorts();
  const detached = options.detached === true;
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const started: RunningProcess[] = [];
  const records = (): ProcessRecord[] => started.map(({ name, pid, bin, logPath }) => ({ name, pid, bin, logPath }));
  const state = (): ControlPlaneState => ({
    version: 1, dir: layout.dir, server, kubeconfigPath: layout.kubeconfig, ports,
    processes: records(), startedAt: new Date(t0).toISOString(),
  });
  const run: Run = { layout, detached, started, log: options.log ?? (() => undefined), recorded: () => { writeState(state()); } };
  if (!detached) run.watchdog = await startWatchdog(join(layout.dir, 'logs', 'watchdog.log'));
  const stop = async (): Promise<void> => {
    await stopProcesses(records(), options.stopGraceMs);
    run.watchdog?.close();
    rmSync(layout.state, { force: true });
  };
  try {
    await bringUp(run, bins, ports, options);
  } catch (err) {
    await stop();
    throw new Error(`local control plane failed to start (logs in ${join(layout.dir, 'logs')}): ${(err as Error).message}`, { cause: err });
  }
  const startupMs = Date.now() - t0;
  run.log(`control plane ready in ${startupMs} ms: ${server}, kubeconfig ${layout.kubeconfig}`);
  const processes = records();
  return { dir: layout.dir, kubeconfigPath: layout.kubeconfig, server, ports, pids: pidsOf(processes), processes, startupMs, stop };
}
