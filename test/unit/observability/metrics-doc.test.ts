// docs/metrics.md is the reference SREs read: every metric it lists must exist, and every exkey_
// metric the code registers must be listed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
// Importing the operator loads every module that registers a metric.
import '../../../src/operator.ts';

const DOC = readFileSync(join(import.meta.dirname, '../../../docs/metrics.md'), 'utf8');

function documented(): string[] {
  return [...DOC.matchAll(/^\| `(exkey_[a-z0-9_]+)` \|/gm)].map((m) => m[1] ?? '').sort();
}

describe('docs/metrics.md', () => {
  it('should list exactly the exkey_ metrics the operator registers', async () => {
    const registered = (await register.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('exkey_')).sort();
    expect(documented().length).toBeGreaterThan(10);
    expect(documented()).toEqual(registered);
  });

  it('should give each metric the type the code registers', async () => {
    const types = new Map((await register.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    for (const match of DOC.matchAll(/^\| `(exkey_[a-z0-9_]+)` \| (gauge|counter|histogram) \|/gm)) {
      expect(`${match[1] ?? ''}: ${types.get(match[1] ?? '') ?? 'missing'}`).toBe(`${match[1] ?? ''}: ${match[2] ?? ''}`);
    }
  });
});
