// Drift detection on the real local control plane: the Bybit simulator changes a live key behind
// exkey's back (withdrawal enabled, IP allowlist changed, key deleted, expiry imposed) and exkey
// must notice within one revalidateInterval and act as the RotationPolicy's spec.drift says.
import { RestClientV5 } from 'bybit-api';
import type { CoreV1Event } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeKey } from '../../src/api/v1alpha1/index.ts';
import type { KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { waitFor } from '../support/kube.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';

const REVALIDATE_MS = 5_000;
let h: Harness;
const seen: KeyMaterial[] = [];

beforeAll(async () => {
  h = await startHarness();
  // A long overlap: a rotation that finishes quickly can only have taken the emergency path.
  await h.createPolicy('drift', { interval: '30d', overlap: '1m', revalidateInterval: '5s' });
  await h.createPolicy('report', { interval: '30d', overlap: '2s', revalidateInterval: '5s', drift: { onMismatch: 'Report' } });
  await h.createPolicy('quick', { interval: '30d', revalidateInterval: '2s' });
  await h.createPolicy('expiry', { interval: '30d', overlap: '2s', revalidateInterval: '3s', renewBefore: '1h' });
});

afterAll(async () => {
  await h.stop();
});

const accepted = (m: KeyMaterial): Promise<boolean> => h.accepts(m);

async function issued(name: string, policy: string): Promise<KeyMaterial> {
  await h.createKey(name, { rotationPolicyRef: { name: policy } });
  await h.waitForCondition(name, { type: 'Ready', status: 'True' });
  const material = await h.readMaterial(name);
  seen.push(material);
  return material;
}

const condition = (k: ExchangeKey | undefined, type: string): { status: string; reason: string; lastTransitionTime: string } | undefined =>
  k?.status?.conditions?.find((c) => c.type === type);
const byReason = (events: CoreV1Event[], reason: string): CoreV1Event[] => events.filter((e) => e.reason === reason);
/** The key's Events, after checking that its rotation started for `reason`. */
async function startedFor(name: string, reason: string): Promise<CoreV1Event[]> {
  const events = await h.events(name);
  expect(byReason(events, 'RotationStarted')[0]?.message).toContain(`(${reason})`);
  return events;
}
/** Ready, not Degraded, no drift left: the state every handled finding ends in. */
function expectSettled(k: ExchangeKey): void {
  expect(condition(k, 'Ready')?.status).toBe('True');
  expect(condition(k, 'Degraded')).toBeUndefined();
  expect(k.status?.drift).toBeUndefined();
}

describe('withdrawal enabled on a live key at the exchange', () => {
  it('should be detected within one revalidateInterval: Degraded, a Warning Event, the old key revoked at once and a new one Ready', async () => {
    const v1 = await issued('wd', 'drift');
    // Slow the next create down so the Degraded state before the new key is published can be seen.
    h.sim.state.addFault({ kind: 'latency', latencyMs: 1_500, pathPrefix: '/v5/user/create-sub-api', times: 1 });
    const changedAt = Date.now();
    const live = h.sim.state.getKey(v1.apiKey);
    h.sim.state.patchKey(v1.apiKey, { permissions: { ...live?.permissions, Wallet: ['Withdraw'] } });

    const degraded = await h.waitForCondition('wd', { type: 'Degraded', status: 'True', reason: 'DriftDetected' }, 3 * REVALIDATE_MS);
    expect(Date.parse(degraded.status?.drift?.detectedAt ?? '') - changedAt).toBeLessThanOrEqual(REVALIDATE_MS + 2_000);
    expect(degraded.status?.drift).toMatchObject({ version: 1, kind: 'WithdrawEnabled', action: 'Revoke' });
    expect(degraded.status?.rotation).toMatchObject({ version: 2, reason: 'DriftDetected', emergency: true });
    const warning = byReason(await h.events('wd'), 'DriftDetected')[0];
    expect(warning?.type).toBe('Warning');
    expect(warning?.message).toContain('withdrawal is enabled at the exchange');

    // Far less than the 1m overlap: the emergency path, the old key revoked as soon as v2 was published.
    const done = await h.waitForVersion('wd', 2, 30_000);
    seen.push(await h.readMaterial('wd'));
    expect(Date.now() - changedAt).toBeLessThan(45_000);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    expect(await accepted(v1)).toBe(false);
    expect(await accepted(await h.readMaterial('wd'))).toBe(true);
    expect(done.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
    expectSettled(done);
    expect(byReason(await startedFor('wd', 'DriftDetected'), 'OldKeyRevoked')[0]?.type).toBe('Warning');
  });
});

describe('an IP allowlist changed at the exchange under onMismatch: Report', () => {
  it('should report Degraded with one Event and no rotation, and clear once the exchange side is put back', async () => {
    const v1 = await issued('ip', 'report');
    h.sim.state.patchKey(v1.apiKey, { ips: ['127.0.0.1', '198.51.100.7'] });

    const degraded = await h.waitForCondition('ip', { type: 'Degraded', status: 'True', reason: 'DriftDetected' }, 3 * REVALIDATE_MS);
    expect(degraded.status?.drift).toMatchObject({ version: 1, kind: 'IpAllowlistChanged', action: 'Report' });
    expect(condition(degraded, 'Ready')?.status).toBe('True');
    // Another interval: re-checked, still reported, nothing rotated, the Event not repeated.
    const checked = Date.parse(degraded.status?.keys?.find((k) => k.version === 1)?.validatedAt ?? '');
    const again = await waitFor(async () => {
      const k = await h.getKey('ip');
      const at = Date.parse(k?.status?.keys?.find((x) => x.version === 1)?.validatedAt ?? '');
      return at > checked ? k : undefined;
    }, { description: 'a second re-validation', timeoutMs: 3 * REVALIDATE_MS });
    expect(again.status?.currentVersion).toBe(1);
    expect(again.status?.rotation).toBeUndefined();
    expect(condition(again, 'Degraded')?.reason).toBe('DriftDetected');
    const warnings = byReason(await h.events('ip'), 'DriftDetected');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('198.51.100.7');
    expect(warnings[0]?.message).toContain('action Report');

    h.sim.state.patchKey(v1.apiKey, { ips: ['127.0.0.1'] });
    const cleared = await waitFor(async () => {
      const k = await h.getKey('ip');
      return k && !condition(k, 'Degraded') ? k : undefined;
    }, { description: 'Degraded cleared', timeoutMs: 3 * REVALIDATE_MS });
    expect(cleared.status?.drift).toBeUndefined();
    expect(cleared.status?.currentVersion).toBe(1);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(false);
    expect(byReason(await h.events('ip'), 'DriftResolved')).toHaveLength(1);
  });
});

describe('a key deleted at the exchange behind exkey\'s back', () => {
  it('should be reissued at once (Ready False KeyRevokedExternally until the new key is published)', async () => {
    const v1 = await issued('gone', 'drift');
    h.sim.state.addFault({ kind: 'latency', latencyMs: 1_500, pathPrefix: '/v5/user/create-sub-api', times: 1 });
    const master = new RestClientV5({ key: h.master.apiKey, secret: h.master.apiSecret, baseUrl: h.sim.url });
    expect((await master.deleteSubApiKey({ apikey: v1.apiKey })).retCode).toBe(0);

    const notReady = await h.waitForCondition('gone', { type: 'Ready', status: 'False', reason: 'KeyRevokedExternally' }, 3 * REVALIDATE_MS);
    expect(notReady.status?.drift).toMatchObject({ version: 1, kind: 'KeyRejected', action: 'Reissue' });
    expect(notReady.status?.rotation).toMatchObject({ reason: 'KeyRevokedExternally', emergency: true });

    const done = await h.waitForVersion('gone', 2, 30_000);
    const v2 = await h.readMaterial('gone');
    seen.push(v2);
    expect(await accepted(v2)).toBe(true);
    expectSettled(done);
    expect(byReason(await startedFor('gone', 'KeyRevokedExternally'), 'DriftDetected')[0]?.message).toContain('no longer accepted');
  });
});

describe('an idle key that matches the spec', () => {
  it('should move only validatedAt at each re-validation, with no Events', async () => {
    const v1 = await issued('idle', 'quick');
    const validatedAt = async (after: number): Promise<ExchangeKey> =>
      waitFor(async () => {
        const k = await h.getKey('idle');
        return Date.parse(k?.status?.keys?.[0]?.validatedAt ?? '') > after ? k : undefined;
      }, { description: 'a re-validation', timeoutMs: 10_000 });
    const first = await validatedAt(Date.parse((await h.getKey('idle'))?.status?.keys?.[0]?.validatedAt ?? ''));
    const eventsBefore = (await h.events('idle')).map((e) => `${e.reason}:${e.count ?? 1}`).sort();
    const second = await validatedAt(Date.parse(first.status?.keys?.[0]?.validatedAt ?? ''));

    const strip = (k: ExchangeKey): unknown => ({
      ...k.status,
      keys: k.status?.keys?.map((x) => ({ ...x, validatedAt: undefined })),
      conditions: k.status?.conditions?.map((c) => ({ ...c, message: c.type === 'Ready' ? undefined : c.message })),
    });
    expect(strip(second)).toEqual(strip(first));
    expect(condition(second, 'Ready')?.lastTransitionTime).toBe(condition(first, 'Ready')?.lastTransitionTime);
    expect((await h.events('idle')).map((e) => `${e.reason}:${e.count ?? 1}`).sort()).toEqual(eventsBefore);
    expect(h.sim.state.recentRequests().filter((r) => r.path === '/v5/user/query-api' && r.apiKey === v1.apiKey).length).toBeGreaterThanOrEqual(3);
  });
});

describe('an expiry the exchange imposes on a live key', () => {
  it('should record it at re-validation and rotate renewBefore ahead of it', async () => {
    const v1 = await issued('exp', 'expiry');
    // renewBefore is 1h: expiring just over an hour from now puts the renewal a few seconds away.
    const expiresAt = new Date(Date.now() + 3_600_000 + 6_000);
    h.sim.state.patchKey(v1.apiKey, { expiredAt: expiresAt.toISOString() });

    const recorded = await waitFor(async () => {
      const k = await h.getKey('exp');
      return k?.status?.keys?.find((x) => x.version === 1)?.expiresAt ? k : undefined;
    }, { description: 'the expiry recorded', timeoutMs: 10_000 });
    expect(Math.abs(Date.parse(recorded.status?.keys?.[0]?.expiresAt ?? '') - expiresAt.getTime())).toBeLessThan(1_000);

    const done = await h.waitForVersion('exp', 2, 45_000);
    seen.push(await h.readMaterial('exp'));
    expect(Date.parse(done.status?.lastRotationTime ?? '')).toBeLessThan(expiresAt.getTime());
    await startedFor('exp', 'Expiring');
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
  });
});

describe('secret material', () => {
  it('should never appear in logs, Events or status', async () => {
    const text = [
      h.logs.join('\n'),
      JSON.stringify(await Promise.all(['wd', 'ip', 'gone', 'idle', 'exp'].map((n) => h.events(n)))),
      JSON.stringify(await Promise.all(['wd', 'ip', 'gone', 'idle', 'exp'].map((n) => h.getKey(n)))),
    ].join('\n');
    expect(seen.length).toBeGreaterThan(5);
    for (const m of seen) for (const s of secretsOf(m)) expect(text).not.toContain(s);
  });
});
