// Drift detection and exchange-imposed expiry through plan(): when the current key is
// re-validated, what each finding does under each policy action, how a finding is remembered
// across reconciles, and how an expiry reported at re-validation leads to a rotation.
import { describe, expect, it } from 'vitest';
import type { ExchangeKeyStatus, RotationPolicySpec } from '../../../../src/api/v1alpha1/index.ts';
import { driftAction, isNewFinding, type DriftStatus } from '../../../../src/controllers/exchangekey/drift.ts';
import type { Observed } from '../../../../src/controllers/exchangekey/observed.ts';
import { plan, type Step } from '../../../../src/controllers/exchangekey/plan.ts';
import type { KeyInfo } from '../../../../src/exchanges/types.ts';
import { EARLIER, NOW, VALIDATED, key, observed, readyStatus, settled } from './fixtures.ts';

const present = { kind: 'present' as const, version: 1, hasPrevious: false };
const minutesAgo = (m: number): string => new Date(NOW.getTime() - m * 60_000).toISOString();
const daysFromNow = (d: number): string => new Date(NOW.getTime() + d * 86_400_000).toISOString();
const policyOf = (spec: RotationPolicySpec): Observed['policy'] => ({ kind: 'found', name: 'p', spec: { interval: '30d', ...spec } });

/** A Ready key at version 1, last re-validated `validatedMinutesAgo` minutes ago. */
function ready(validatedMinutesAgo: number, extra: Partial<ExchangeKeyStatus> = {}): ExchangeKeyStatus {
  const base = readyStatus(1);
  const keys = (base.keys ?? []).map((k) => ({ ...k, validatedAt: minutesAgo(validatedMinutesAgo) }));
  return { ...base, keys, ...extra };
}

/** An idle key as the controller left it (status already written). */
function idle(status: ExchangeKeyStatus, extra: Partial<Observed> = {}): Observed {
  return settled(observed(key(status), { published: present, ...extra }));
}

const clean: KeyInfo = { keyId: 'k', permissions: ['read', 'trade'], unmappedPermissions: [], ipAllowlist: ['10.0.0.1'], withdrawEnabled: false };
const withInfo = (o: Observed, info: Partial<KeyInfo>): Observed => ({ ...o, revalidation: { version: 1, at: NOW.toISOString(), info: { ...clean, ...info } } });
const refused = (o: Observed): Observed => ({ ...o, revalidation: { version: 1, at: NOW.toISOString(), rejected: 'bybit: API key is invalid. (retCode 10003) (code 10003)' } });

function ws(step: Step): Extract<Step, { kind: 'WriteStatus' }> {
  if (step.kind !== 'WriteStatus') throw new Error(`expected WriteStatus, got ${step.kind}`);
  return step;
}
const condition = (s: ExchangeKeyStatus, type: string): unknown => s.conditions?.find((c) => c.type === type);

describe('when the current key is re-validated', () => {
  it.each<{ name: string; o: Observed; step: Step }>([
    { name: 'should re-validate when an hour has passed since validatedAt and no policy sets the interval', o: idle(ready(61)), step: { kind: 'Revalidate', version: 1 } },
    { name: 'should re-validate on the policy revalidateInterval when it has passed', o: idle(ready(6), { policy: policyOf({ revalidateInterval: '5m' }) }), step: { kind: 'Revalidate', version: 1 } },
    { name: 'should wait with a timer for the next re-validation when it is not due yet', o: idle(ready(10)), step: { kind: 'Done', requeueAfterMs: 50 * 60_000 } },
    {
      name: 'should arm the timer for the next rotation when that comes before the next re-validation',
      o: idle(ready(4, { lastRotationTime: minutesAgo(58) }), { policy: policyOf({ interval: '1h', revalidateInterval: '5m' }) }),
      step: { kind: 'Done', requeueAfterMs: 60_000 },
    },
    {
      name: 'should not re-validate again in the same reconcile once it has',
      o: { ...idle(ready(61)), revalidation: { version: 1, at: minutesAgo(61), info: clean } },
      step: { kind: 'Done', requeueAfterMs: 60 * 60_000 },
    },
  ])('$name', ({ o, step }) => {
    expect(plan(o, NOW)).toEqual(step);
  });

  it('should not re-validate while a rotation is in progress', () => {
    const o = idle({ ...ready(120), rotation: { phase: 'Registering', version: 2, previousVersion: 1, reason: 'Manual', startedAt: minutesAgo(1) } }, { pending: null });
    expect(plan(o, NOW).kind).not.toBe('Revalidate');
  });

  it('should not re-validate a version the Secret no longer holds (the lost Secret is handled first)', () => {
    const o = observed(key(ready(120)), { published: { kind: 'absent' } });
    expect(ws(plan(o, NOW)).status.rotation).toMatchObject({ reason: 'SecretLost' });
  });
});

describe('a clean re-validation', () => {
  it('should move validatedAt forward and change nothing else (no Events)', () => {
    const before = idle(ready(61));
    const step = ws(plan(withInfo(before, {}), NOW));
    expect(step.events).toEqual([]);
    expect(step.status.keys).toEqual([{ ...before.key.status?.keys?.[0], validatedAt: NOW.toISOString() }]);
    expect(step.status.drift).toBeUndefined();
    expect(step.status.rotation).toBeUndefined();
    const ready1 = step.status.conditions?.find((c) => c.type === 'Ready');
    expect(ready1).toMatchObject({ status: 'True', lastTransitionTime: EARLIER });
    expect(condition(step.status, 'Degraded')).toBeUndefined();
  });

  it('should record an expiry the exchange now reports', () => {
    const step = ws(plan(withInfo(idle(ready(61)), { expiresAt: new Date(daysFromNow(60)) }), NOW));
    expect(step.status.keys?.[0]?.expiresAt).toBe(daysFromNow(60));
    expect(step.status.rotation).toBeUndefined();
  });
});

describe('what a finding does', () => {
  const withdraw = { withdrawEnabled: true, permissions: ['read', 'trade', 'withdraw'] } as Partial<KeyInfo>;
  const ips = { ipAllowlist: ['10.0.0.1', '198.51.100.7'] };
  it.each<{ name: string; policy: Observed['policy']; info: Partial<KeyInfo>; kind: string; rotation?: { reason: string; emergency: boolean } }>([
    { name: 'should revoke at once (emergency rotation) when withdrawal is enabled and no policy says otherwise', policy: { kind: 'none' }, info: withdraw, kind: 'WithdrawEnabled', rotation: { reason: 'DriftDetected', emergency: true } },
    { name: 'should treat transfer the spec does not allow like withdrawal', policy: { kind: 'none' }, info: { permissions: ['read', 'trade', 'transfer'] }, kind: 'WithdrawEnabled', rotation: { reason: 'DriftDetected', emergency: true } },
    { name: 'should rotate with overlap when withdrawal is enabled and the policy says Rotate', policy: policyOf({ drift: { onWithdrawEnabled: 'Rotate' } }), info: withdraw, kind: 'WithdrawEnabled', rotation: { reason: 'DriftDetected', emergency: false } },
    { name: 'should only report when withdrawal is enabled and the policy says Report', policy: policyOf({ drift: { onWithdrawEnabled: 'Report' } }), info: withdraw, kind: 'WithdrawEnabled' },
    { name: 'should rotate with overlap when the IP allowlist differs and no policy says otherwise', policy: { kind: 'none' }, info: ips, kind: 'IpAllowlistChanged', rotation: { reason: 'DriftDetected', emergency: false } },
    { name: 'should rotate with overlap when a permission is missing at the exchange', policy: { kind: 'missing', name: 'gone' }, info: { permissions: ['read'] }, kind: 'PermissionsChanged', rotation: { reason: 'DriftDetected', emergency: false } },
    { name: 'should only report when the IP allowlist differs and the policy says Report', policy: policyOf({ drift: { onMismatch: 'Report' } }), info: ips, kind: 'IpAllowlistChanged' },
  ])('$name', ({ policy, info, kind, rotation }) => {
    const step = ws(plan(withInfo(idle(ready(61), { policy }), info), NOW));
    expect(step.status.drift).toMatchObject({ version: 1, kind, detectedAt: NOW.toISOString() });
    expect(step.status.keys?.[0]?.validatedAt).toBe(NOW.toISOString());
    expect(condition(step.status, 'Ready')).toMatchObject({ status: 'True' });
    const warning = step.events.find((e) => e.reason === 'DriftDetected');
    expect(warning).toMatchObject({ type: 'Warning' });
    expect(warning?.message).toContain('key version 1 at bybit');
    expect(warning?.message).toContain(`action ${step.status.drift?.action ?? '?'}`);
    if (rotation) {
      expect(step.status.rotation).toMatchObject({ phase: 'Registering', version: 2, previousVersion: 1, reason: rotation.reason });
      expect(step.status.rotation?.emergency === true).toBe(rotation.emergency);
      expect(step.events.map((e) => e.reason)).toEqual(['DriftDetected', 'RotationStarted']);
    } else {
      expect(step.status.rotation).toBeUndefined();
      expect(step.status.drift?.action).toBe('Report');
      expect(condition(step.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    }
  });

  it('should show Degraded DriftDetected while the drift rotation runs', () => {
    const started = ws(plan(withInfo(idle(ready(61)), withdraw), NOW)).status;
    expect(condition(started, 'Degraded')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(condition(started, 'Rotating')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
  });

  it('should reissue at once, with Ready False, when the exchange refuses the key itself', () => {
    const step = ws(plan(refused(idle(ready(61))), NOW));
    expect(step.status.rotation).toMatchObject({ phase: 'Registering', version: 2, reason: 'KeyRevokedExternally', emergency: true });
    expect(step.status.drift).toMatchObject({ kind: 'KeyRejected', action: 'Reissue' });
    expect(step.status.keys?.[0]?.validatedAt).toBe(minutesAgo(61));
    expect(condition(step.status, 'Ready')).toMatchObject({ status: 'False', reason: 'KeyRevokedExternally' });
    expect(step.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'DriftDetected'], ['Warning', 'RotationStarted']]);
  });
});

describe('a finding across reconciles', () => {
  const report = policyOf({ drift: { onMismatch: 'Report' } });
  const finding: DriftStatus = {
    version: 1, kind: 'IpAllowlistChanged', action: 'Report', detectedAt: minutesAgo(61),
    message: 'key version 1 at bybit: IP allowlist at the exchange is [10.0.0.1, 198.51.100.7], the spec asks for [10.0.0.1]',
  };
  const reported = (validatedMinutesAgo: number, policy = report): Observed => idle(ready(validatedMinutesAgo, { drift: finding }), { policy });

  it('should keep Degraded on an idle reconcile (nothing to write)', () => {
    const o = reported(10);
    expect(condition(o.key.status ?? {}, 'Degraded')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(plan(o, NOW).kind).toBe('Done');
  });

  it('should not emit the Event again, and keep detectedAt, when the same finding is made again', () => {
    const step = ws(plan(withInfo(reported(61), { ipAllowlist: ['10.0.0.1', '198.51.100.7'] }), NOW));
    expect(step.events).toEqual([]);
    expect(step.status.drift).toEqual(finding);
    expect(step.status.keys?.[0]?.validatedAt).toBe(NOW.toISOString());
  });

  it('should emit a new Event when the finding changes', () => {
    const step = ws(plan(withInfo(reported(61), { ipAllowlist: [] }), NOW));
    expect(step.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'DriftDetected' })]);
    expect(step.status.drift?.detectedAt).toBe(NOW.toISOString());
  });

  it('should clear the finding and Degraded, with a DriftResolved Event, when the exchange side is fixed', () => {
    const step = ws(plan(withInfo(reported(61), {}), NOW));
    expect(step.status.drift).toBeUndefined();
    expect(condition(step.status, 'Degraded')).toBeUndefined();
    expect(step.events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'DriftResolved' })]);
  });

  it('should act on a recorded finding when the policy changes from Report to Rotate', () => {
    const o = observed(key(ready(10, { drift: finding })), { published: present, policy: policyOf({ drift: { onMismatch: 'Rotate' } }) });
    const step = ws(plan(o, NOW));
    expect(step.status.rotation).toMatchObject({ reason: 'DriftDetected' });
    expect(step.status.drift?.action).toBe('Rotate');
  });

  it('should drop the finding once the rotation that replaced the key is done', () => {
    const done = { ...ready(10), currentVersion: 2, keys: [{ version: 1, state: 'Revoked' as const }, { version: 2, state: 'Active' as const, validatedAt: VALIDATED }], drift: finding };
    const step = ws(plan(observed(key(done), { published: { ...present, version: 2 } }), NOW));
    expect(step.status.drift).toBeUndefined();
  });
});

describe('an expiry the exchange imposes', () => {
  const expiring = (days: number, policy: Observed['policy'] = { kind: 'none' }): Observed =>
    idle(ready(10, { keys: [{ version: 1, keyId: 'AbCd…yz', state: 'Active', createdAt: EARLIER, validatedAt: VALIDATED, expiresAt: daysFromNow(days) }] }), { policy });

  it('should schedule the rotation renewBefore (7d by default) ahead of it without a policy', () => {
    const o = expiring(30);
    expect(o.key.status?.nextRotationTime).toBe(daysFromNow(23));
  });

  it('should start an Expiring rotation once inside renewBefore without a policy', () => {
    const step = ws(plan(expiring(6), NOW));
    expect(step.status.rotation).toMatchObject({ reason: 'Expiring' });
    expect(step.status.rotation?.emergency).toBeUndefined();
  });

  it('should rotate by the policy renewBefore once a re-validation reports a nearer expiry', () => {
    const policy = policyOf({ renewBefore: '2d' });
    const o = withInfo(idle(ready(61), { policy }), { expiresAt: new Date(daysFromNow(1)) });
    const recorded = ws(plan(o, NOW)).status;
    expect(recorded.keys?.[0]?.expiresAt).toBe(daysFromNow(1));
    // The next plan (status written) starts the rotation.
    const next = ws(plan({ ...o, revalidation: undefined, key: { ...o.key, status: recorded } }, NOW));
    expect(next.status.rotation).toMatchObject({ reason: 'Expiring' });
  });
});

describe('driftAction and isNewFinding', () => {
  it.each<{ name: string; policy: Observed['policy']; kind: DriftStatus['kind']; action: string }>([
    { name: 'should default to Revoke for withdrawal', policy: { kind: 'none' }, kind: 'WithdrawEnabled', action: 'Revoke' },
    { name: 'should default to Rotate for a mismatch', policy: { kind: 'none' }, kind: 'PermissionsChanged', action: 'Rotate' },
    { name: 'should always reissue a rejected key', policy: policyOf({ drift: { onMismatch: 'Report', onWithdrawEnabled: 'Report' } }), kind: 'KeyRejected', action: 'Reissue' },
    { name: 'should follow the policy for withdrawal', policy: policyOf({ drift: { onWithdrawEnabled: 'Report' } }), kind: 'WithdrawEnabled', action: 'Report' },
  ])('$name', ({ policy, kind, action }) => {
    expect(driftAction(observed(key(), { policy }), kind)).toBe(action);
  });

  it('should count a finding as new only when version, kind or message changed', () => {
    const a: DriftStatus = { version: 1, kind: 'IpAllowlistChanged', message: 'm', detectedAt: EARLIER };
    expect(isNewFinding(undefined, a)).toBe(true);
    expect(isNewFinding(a, { ...a, detectedAt: NOW.toISOString(), action: 'Report' })).toBe(false);
    expect(isNewFinding(a, { ...a, message: 'n' })).toBe(true);
    expect(isNewFinding(a, undefined)).toBe(false);
  });
});
