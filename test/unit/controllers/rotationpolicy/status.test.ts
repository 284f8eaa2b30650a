// RotationPolicy status: validity, keys governed, earliest next rotation.
import { describe, expect, it } from 'vitest';
import type { ExchangeKey, RotationPolicy } from '../../../../src/api/v1alpha1/index.ts';
import { policyStatus } from '../../../../src/controllers/rotationpolicy/status.ts';

const NOW = new Date('2026-03-02T10:00:00Z');
const policy = (spec: RotationPolicy['spec']): RotationPolicy => ({
  apiVersion: 'exkey.io/v1alpha1', kind: 'RotationPolicy', metadata: { name: 'p', namespace: 'ns', uid: 'u', generation: 3 }, spec,
});
const key = (name: string, ref: string | undefined, next?: string): ExchangeKey => ({
  apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name, namespace: 'ns', uid: name },
  spec: { exchange: 'bybit', ...(ref ? { rotationPolicyRef: { name: ref } } : {}) },
  ...(next ? { status: { nextRotationTime: next } } : {}),
});

describe('policyStatus', () => {
  it('should count governed keys and report the earliest next rotation', () => {
    const keys = [key('a', 'p', '2026-03-05T00:00:00.000Z'), key('b', 'p', '2026-03-03T00:00:00.000Z'), key('c', 'other', '2026-03-02T11:00:00.000Z'), key('d', undefined)];
    const status = policyStatus(policy({ interval: '30d' }), keys, NOW);
    expect(status).toMatchObject({ keyCount: 2, nextRotationTime: '2026-03-03T00:00:00.000Z', observedGeneration: 3 });
    expect(status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Valid' });
  });

  it('should be Ready=False with the field named when the cron does not parse', () => {
    const status = policyStatus(policy({ schedule: { cron: 'every monday', timeZone: 'UTC' } }), [], NOW);
    expect(status.conditions?.[0]).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(status.conditions?.[0]?.message).toContain('spec.schedule.cron');
    expect(status.keyCount).toBe(0);
  });

  it('should reject an unknown time zone', () => {
    const status = policyStatus(policy({ schedule: { cron: '0 6 * * 1', timeZone: 'Mars/Olympus' } }), [], NOW);
    expect(status.conditions?.[0]?.message).toContain('timeZone');
  });
});
