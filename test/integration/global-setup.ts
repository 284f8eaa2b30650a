// vitest globalSetup of the `integration` project: one real control plane for the whole run (or
// the cluster of EXKEY_TEST_KUBECONFIG), with every CRD in crds/ applied and Established.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyManifests, repoRoot, startControlPlane } from '../../src/localenv/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the cluster under test. */
    kubeconfigPath: string;
  }
}

function log(line: string): void {
  process.stderr.write(`[integration] ${line}\n`);
}

function crdFiles(): string[] {
  const dir = join(repoRoot, 'crds');
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}

async function startLocal(): Promise<{ kubeconfigPath: string; teardown: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'exkey-it-'));
  const cp = await startControlPlane({ dir, log, stopGraceMs: 5_000 });
  log(`control plane in ${dir} ready in ${(cp.startupMs / 1000).toFixed(1)} s (binaries cached)`);
  return {
    kubeconfigPath: cp.kubeconfigPath,
    teardown: async () => {
      await cp.stop();
      // EXKEY_TEST_KEEP_ENV=1 keeps data and component logs for a post-mortem.
      if (process.env.EXKEY_TEST_KEEP_ENV === '1') log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts (or reuses) the cluster, applies the CRDs and provides `kubeconfigPath` to the tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const external = process.env.EXKEY_TEST_KUBECONFIG;
  const env = external
    ? { kubeconfigPath: resolve(external), teardown: () => Promise.resolve() }
    : await startLocal();
  try {
    const files = crdFiles();
    const applied = await applyManifests(env.kubeconfigPath, files);
    log(`applied ${applied.length} objects from ${files.length} files in crds/`);
  } catch (err) {
    await env.teardown();
    throw err;
  }
  project.provide('kubeconfigPath', env.kubeconfigPath);
  log(`cluster ready for tests in ${((Date.now() - t0) / 1000).toFixed(1)} s${external ? ` (reusing ${external})` : ''}`);
  return env.teardown;
}
