// Finds (and on first use builds) the control plane's binaries. scripts/build-control-plane.sh is
// the one source of truth for default versions and the cache layout; this module runs it and reads
// its defaults instead of repeating them.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute paths of everything startControlPlane runs. */
export interface BinPaths {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  /** Directory of kwok Stage YAML files (node initialise/heartbeat, pod ready/complete/delete). */
  kwokStagesDir: string;
}

/** Versions in use: EXKEY_*_VERSION from the environment, else the build script's defaults. */
export interface Versions {
  kubernetes: string;
  etcd: string;
  kwok: string;
  /** Build recipe revision (RECIPE in the script): part of the Kubernetes cache key. */
  recipe: string;
}

/** The repository root (two levels above this file). */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));

/** Path of the build script that owns the defaults. */
export const buildScript: string = join(repoRoot, 'scripts', 'build-control-plane.sh');

function scriptDefault(script: string, variable: string): string {
  // Matches lines like: K8S_VERSION="${EXKEY_K8S_VERSION:-1.36.3}"
  const match = new RegExp(`\\$\\{EXKEY_${variable}:-([^}]+)\\}`).exec(script);
  if (!match?.[1]) throw new Error(`cannot find the default for EXKEY_${variable} in ${buildScript}`);
  return match[1];
}

/** Versions the build script will use with the current environment. */
export function resolveVersions(env: NodeJS.ProcessEnv = process.env): Versions {
  const script = readFileSync(buildScript, 'utf8');
  return {
    kubernetes: env.EXKEY_K8S_VERSION ?? scriptDefault(script, 'K8S_VERSION'),
    etcd: env.EXKEY_ETCD_VERSION ?? scriptDefault(script, 'ETCD_VERSION'),
    kwok: env.EXKEY_KWOK_VERSION ?? scriptDefault(script, 'KWOK_VERSION'),
    recipe: /^RECIPE=(\d+)$/m.exec(script)?.[1] ?? '1',
  };
}

/** Paths of the binaries under a bin root for the given versions (no existence check). */
export function binPathsUnder(binRoot: string, versions: Versions): BinPaths {
  const k8s = join(binRoot, `kubernetes-${versions.kubernetes}-r${versions.recipe}`);
  const kwokDir = join(binRoot, `kwok-${versions.kwok}`);
  return {
    etcd: join(binRoot, `etcd-${versions.etcd}`, 'etcd'),
    kubeApiserver: join(k8s, 'kube-apiserver'),
    kubeControllerManager: join(k8s, 'kube-controller-manager'),
    kubeScheduler: join(k8s, 'kube-scheduler'),
    kwok: join(kwokDir, 'kwok'),
    kwokStagesDir: join(kwokDir, 'stages'),
  };
}

function runBuildScript(progress: (chunk: string) => void): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [buildScript], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', progress);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolvePromise(stdout.trim().split('\n').pop() ?? '');
      else reject(new Error(`${buildScript} exited with ${code}`));
    });
  });
}

/**
 * Runs the build script (a quick no-op when everything is cached; 10-25 min the first time),
 * streaming its progress to stderr, and returns absolute paths of the binaries it produced.
 */
export async function ensureBinaries(
  progress: (chunk: string) => void = (chunk) => process.stderr.write(chunk),
): Promise<BinPaths> {
  const binRoot = resolve(await runBuildScript(progress));
  const paths = binPathsUnder(binRoot, resolveVersions());
  const all: string[] = [paths.etcd, paths.kubeApiserver, paths.kubeControllerManager, paths.kubeScheduler, paths.kwok, paths.kwokStagesDir];
  const missing = all.filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`build script finished but these are missing: ${missing.join(', ')}`);
  return paths;
}
