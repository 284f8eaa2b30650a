// How long each rotation phase takes, and how many workloads exkey rolled. Phase times are measured
// by this process between the status writes that move a key from one phase to the next (the first
// phase from the rotation's recorded start); a phase that began under another replica is skipped.
import { Counter, Histogram } from 'prom-client';
import type { RotationStatus } from '../api/v1alpha1/index.ts';

/** Time spent in each rotation phase. */
export const rotationPhaseDuration = new Histogram({
  name: 'exkey_rotation_phase_duration_seconds',
  help: 'Time a rotation spent in each phase (Registering, Publishing, RollingOut, Overlap, Revoking), by phase and rotation reason.',
  labelNames: ['phase', 'reason'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
});

/** Workloads whose pod template exkey changed to roll them onto a new key version. */
export const dependentsRolled = new Counter({
  name: 'exkey_dependents_rolled_total',
  help: 'Dependent workloads rolled onto a new key version, by kind.',
  labelNames: ['kind'] as const,
});

const phaseStarted = new Map<string, number>();

// When this process saw the phase begin; for the first phase, the rotation's recorded start.
function phaseStartOf(uid: string, rotation: RotationStatus): number | undefined {
  const seen = phaseStarted.get(uid);
  if (seen !== undefined) return seen;
  if (rotation.phase !== 'Registering' || !rotation.startedAt) return undefined;
  const recorded = Date.parse(rotation.startedAt);
  return Number.isNaN(recorded) ? undefined : recorded;
}

/** Records a status write that moves the key `uid` from `before` to `after` at `nowMs`. */
export function observePhaseChange(uid: string, before: RotationStatus | undefined, after: RotationStatus | undefined, nowMs: number): void {
  if (before && before.phase !== after?.phase) {
    const startedMs = phaseStartOf(uid, before);
    if (startedMs !== undefined) {
      rotationPhaseDuration.observe({ phase: before.phase, reason: before.reason ?? 'unknown' }, Math.max(0, nowMs - startedMs) / 1000);
    }
  }
  if (!after) phaseStarted.delete(uid);
  else if (after.phase !== before?.phase) phaseStarted.set(uid, nowMs);
}
