// Failpoints: parsed strictly, inert unless armed, and fire only on an exact match.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/observability/logger.ts';
import { failpointsFromEnv, parseFailpoints } from '../../../src/runtime/failpoints.ts';

describe('failpoints', () => {
  it('should be absent when EXKEY_FAILPOINTS is unset', () => {
    expect(failpointsFromEnv(silentLogger(), {})).toBeUndefined();
  });

  it.each([
    { when: 'after', step: 'WriteStatus', phase: 'Publishing', fires: true },
    { when: 'after', step: 'WriteStatus', phase: 'Overlap', fires: false },
    { when: 'before', step: 'WriteStatus', phase: 'Publishing', fires: false },
    { when: 'before', step: 'RevokeOld', phase: 'Revoking', fires: true },
  ] as const)('should fire=$fires for $when:$step:$phase', ({ when, step, phase, fires }) => {
    let killed = 0;
    const fp = failpointsFromEnv(silentLogger(), { EXKEY_FAILPOINTS: 'after:WriteStatus:Publishing, before:RevokeOld' }, () => { killed += 1; });
    fp?.check(when, step, phase);
    expect(killed).toBe(fires ? 1 : 0);
  });

  it('should refuse a malformed entry', () => {
    expect(() => parseFailpoints('during:WriteStatus')).toThrow(/bad failpoint/);
  });
});
