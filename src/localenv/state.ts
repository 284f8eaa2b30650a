// The state file of a running control plane (<dir>/state.json): what another process needs to
// check on it or stop it (pids, binaries, ports, paths).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Ports } from './layout.ts';
import { layoutOf } from './layout.ts';
import { stopProcess, type ProcessRecord } from './process.ts';

/** Contents of state.json. */
export interface ControlPlaneState {
  version: 1;
  dir: string;
  server: string;
  kubeconfigPath: string;
  ports: Ports;
  /** In start order. */
  processes: ProcessRecord[];
  startedAt: string;
  /** Copies of the kubeconfig made by `exkey env up`, removed again by `down`. */
  kubeconfigCopies?: string[];
}

/** Reads <dir>/state.json, or undefined when there is none (or it is unreadable). */
export function readState(dir: string): ControlPlaneState | undefined {
  const path = layoutOf(dir).state;
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<ControlPlaneState>;
    return state.version === 1 && Array.isArray(state.processes) ? state as ControlPlaneState : undefined;
  } catch {
    return undefined;
  }
}

/** Writes <dir>/state.json. */
export function writeState(state: ControlPlaneState): void {
  writeFileSync(layoutOf(state.dir).state, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

/** Stops recorded processes in reverse start order (SIGTERM, then SIGKILL after graceMs). */
export async function stopProcesses(processes: ProcessRecord[], graceMs?: number): Promise<void> {
  for (const p of [...processes].reverse()) await stopProcess(p, graceMs);
}

/**
 * Stops the control plane recorded in <dir>/state.json, from any process, and removes the state
 * file. Returns false when there was no state (nothing to stop).
 */
export async function stopFromState(dir: string, graceMs?: number): Promise<boolean> {
  const state = readState(dir);
  if (state === undefined) return false;
  await stopProcesses(state.processes, graceMs);
  rmSync(layoutOf(dir).state, { force: true });
  return true;
}
