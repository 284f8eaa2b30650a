import { describe, expect, it } from 'vitest';
import type { RotationStatus } from '../../../src/api/v1alpha1/index.ts';
import { observePhaseChange, rotationPhaseDuration } from '../../../src/observability/rotation-metrics.ts';

const at = (phase: RotationStatus['phase'], extra: Partial<RotationStatus> = {}): RotationStatus => ({ phase, version: 2, reason: 'PhaseTest', ...extra });

async function observed(): Promise<Record<string, number>> {
  const values = (await rotationPhaseDuration.get()).values.filter((v) => v.labels.reason === 'PhaseTest' && v.metricName === 'exkey_rotation_phase_duration_seconds_sum');
  return Object.fromEntries(values.map((v) => [String(v.labels.phase), v.value]));
}

describe('observePhaseChange', () => {
  it('should time each phase between the status writes that leave it, the first from the recorded start', async () => {
    const t0 = Date.parse('2026-11-22T12:00:00Z');
    observePhaseChange('uid-a', undefined, at('Registering', { startedAt: '2026-11-22T12:00:00Z' }), t0);
    observePhaseChange('uid-a', at('Registering', { startedAt: '2026-11-22T12:00:00Z' }), at('Publishing'), t0 + 2000);
    observePhaseChange('uid-a', at('Publishing'), at('RollingOut'), t0 + 2500);
    observePhaseChange('uid-a', at('RollingOut'), at('RollingOut'), t0 + 9000); // same phase: nothing
    observePhaseChange('uid-a', at('RollingOut'), undefined, t0 + 12_500);
    expect(await observed()).toEqual({ Registering: 2, Publishing: 0.5, RollingOut: 10 });
  });

  it('should skip a phase this process did not see begin (started under another replica)', async () => {
    const before = await observed();
    observePhaseChange('uid-b', at('Overlap'), at('Revoking'), Date.parse('2026-11-22T13:00:00Z'));
    expect(await observed()).toEqual(before);
  });
});
