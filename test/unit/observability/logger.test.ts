// Every redaction path in the operator's logger really hides what sits there, and a record that
// carries no secret field is logged unchanged.
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, createLogger } from '../../../src/observability/logger.ts';

const SENTINEL = 'SENSITIVE-VALUE-0123456789';

/** A log object with SENTINEL at `path` (pino's path syntax: `a.b`, `*.b`, `a["b"]`). */
function objectAt(path: string): Record<string, unknown> {
  const segments = path.split(/\.|(?=\[)/).map((s) => s.replace(/^\["?|"?\]$/g, '')).map((s) => (s === '*' ? 'anyField' : s));
  let value: unknown = SENTINEL;
  for (const segment of segments.reverse()) value = { [segment]: value };
  return value as Record<string, unknown>;
}

function logged(record: Record<string, unknown>): string {
  const lines: string[] = [];
  createLogger({ destination: { write: (line: string) => { lines.push(line); } } }).info(record, 'record');
  return lines.join('');
}

describe('the operator logger', () => {
  it.each(REDACT_PATHS.map((path) => ({ path })))('should redact $path', ({ path }) => {
    const line = logged(objectAt(path));
    expect(line).not.toContain(SENTINEL);
    expect(line).toContain('[redacted]');
  });

  it('should keep fields that are not secret', () => {
    expect(JSON.parse(logged({ key: 'trading/mm', version: 3 }))).toMatchObject({ key: 'trading/mm', version: 3, msg: 'record' });
  });
});
