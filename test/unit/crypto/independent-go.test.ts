// Runs the independent Go implementation (test/independent/envelope-go, standard library only)
// over every envelope v1 vector: two implementations agreeing is the evidence that
// docs/envelope-format.md is enough to build a reader from.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTOR_DIR, loadVectors } from './support/vectors.ts';

const GO_DIR = join(import.meta.dirname, '../../independent/envelope-go');
const goOnPath = spawnSync('go', ['version'], { encoding: 'utf8' }).error === undefined;

if (!goOnPath) {
  console.warn('independent-go.test.ts: skipped because `go` is not on PATH; install Go >= 1.22 to cross-check the envelope vectors');
}

describe.skipIf(!goOnPath)('independent Go implementation of envelope v1 open', () => {
  it('should agree with every test vector when run with go run', () => {
    const run = spawnSync('go', ['run', '.', VECTOR_DIR], {
      cwd: GO_DIR,
      encoding: 'utf8',
      timeout: 170_000,
      // No network: the module has no dependencies and must build with the local toolchain.
      env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOPROXY: 'off' },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    const count = loadVectors().length;
    expect(run.error, output).toBeUndefined();
    expect(output).not.toMatch(/^FAIL /m);
    expect(output).toContain(`go: ${count} vectors`);
    expect(output).toContain(', 0 failed');
    expect(run.status, output).toBe(0);
  }, 180_000);
});
