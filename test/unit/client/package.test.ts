// The client library as another project sees it: compiled to JavaScript (Node does not strip
// types inside node_modules) and reachable as `exkey/client` through package.json "exports".
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

describe('the published client library', () => {
  it('should compile and load as exkey/client in plain Node, with type stripping off', () => {
    const app = mkdtempSync(join(tmpdir(), 'exkey-consumer-'));
    try {
      const pkg = join(app, 'node_modules', 'exkey');
      mkdirSync(pkg, { recursive: true });
      cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { cwd: root });
      // The package's runtime dependencies (what npm installs for a consumer) resolve from the
      // repository's node_modules.
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      for (const dep of Object.keys(manifest.dependencies)) {
        mkdirSync(join(pkg, 'node_modules', dep, '..'), { recursive: true });
        symlinkSync(join(root, 'node_modules', dep), join(pkg, 'node_modules', dep));
      }
      const out = execFileSync(process.execPath, [
        '--no-experimental-strip-types', '--input-type=module', '-e',
        "const c = await import('exkey/client'); console.log(typeof c.openExchangeKey, typeof c.localKeyRingUnwrapper, typeof c.awsKmsUnwrapper, typeof c.vaultTransitUnwrapper, typeof c.EnvelopeError);",
      ], { cwd: app, encoding: 'utf8' });
      expect(out.trim()).toBe('function function function function function');
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  }, 120_000);
});
