// Which kwok Stage files the local control plane runs: kwok's own (cached next to its binary by
// the build script) with exkey's stages from ./stages layered on top. A file of exkey's replaces
// the cached file of the same name; the others are added. This is how pods labelled
// exkey.io/test-readiness=never run without ever becoming Ready (see stages/pod-never-ready.yaml).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory of exkey's own kwok Stage files, shipped with the source. */
export const exkeyStagesDir: string = fileURLToPath(new URL('./stages/', import.meta.url));

/** Label that makes kwok start a pod but never mark it Ready (value: `never`). */
export const testReadinessLabel = { key: 'exkey.io/test-readiness', never: 'never' } as const;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
}

/** Absolute paths of the Stage files for kwok: cached ones not overridden, then exkey's, by name. */
export function stageFiles(cachedDir: string, ownDir: string = exkeyStagesDir): string[] {
  const own = yamlFiles(ownDir);
  const cached = yamlFiles(cachedDir).filter((f) => !own.includes(f));
  return [...cached.map((f) => join(cachedDir, f)), ...own.map((f) => join(ownDir, f))];
}
