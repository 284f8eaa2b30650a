import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/observability/logger.ts';
import type { KubeRequest, KubeTransport } from '../../../src/runtime/kube/client.ts';
import { KubeApiError } from '../../../src/runtime/kube/errors.ts';
import { startLeaderElection } from '../../../src/runtime/leader.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const TIMINGS = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

/** An API server holding one Lease, with optimistic concurrency; `down` makes every call fail. */
function leaseServer(): {
  kube: KubeTransport;
  lease: () => Record<string, unknown> | undefined;
  setDown: (down: boolean) => void;
  seed: (spec: Record<string, unknown>) => void;
} {
  let stored: { metadata: { name: string; resourceVersion: string }; spec: Record<string, unknown> } | undefined;
  let version = 0;
  let down = false;
  const send = (req: KubeRequest): Promise<unknown> => {
    if (down) return Promise.reject(new KubeApiError(0, undefined, 'connection refused'));
    const body = req.body as { metadata: { name: string; resourceVersion?: string }; spec: Record<string, unknown> } | undefined;
    if (req.method === 'GET') return stored ? Promise.resolve(structuredClone(stored)) : Promise.reject(new KubeApiError(404, { reason: 'NotFound' }, 'GET'));
    if (req.method === 'POST') {
      if (stored) return Promise.reject(new KubeApiError(409, { reason: 'AlreadyExists' }, 'POST'));
      stored = { metadata: { name: body?.metadata.name ?? '', resourceVersion: String(++version) }, spec: body?.spec ?? {} };
      return Promise.resolve(structuredClone(stored));
    }
    if (body?.metadata.resourceVersion !== stored?.metadata.resourceVersion) return Promise.reject(new KubeApiError(409, { reason: 'Conflict' }, 'PUT'));
    stored = { metadata: { name: body?.metadata.name ?? '', resourceVersion: String(++version) }, spec: body?.spec ?? {} };
    return Promise.resolve(structuredClone(stored));
  };
  return {
    kube: { send: send as KubeTransport['send'] },
    lease: () => stored?.spec,
    setDown: (d) => { down = d; },
    seed: (spec) => { stored = { metadata: { name: 'exkey', resourceVersion: String(++version) }, spec }; },
  };
}

/** Advances the clock in retry-period steps, letting every chain of awaits settle after each. */
async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += TIMINGS.retryPeriodMs) {
    await clock.advance(TIMINGS.retryPeriodMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function elector(server: ReturnType<typeof leaseServer>, clock: FakeClock, identity: string) {
  return startLeaderElection({ kube: server.kube, namespace: 'exkey-system', name: 'exkey', identity, timings: TIMINGS, clock, logger: silentLogger() });
}

describe('startLeaderElection', () => {
  it('should lead at once when no lease exists, and keep a second candidate waiting while it renews', async () => {
    const clock = new FakeClock();
    const server = leaseServer();
    const a = elector(server, clock, 'a');
    await a.acquired;
    const b = elector(server, clock, 'b');
    await run(clock, 10_000);
    expect([a.isLeader(), b.isLeader(), server.lease()?.holderIdentity]).toEqual([true, false, 'a']);
    await a.release();
    await b.release();
  });

  it('should give up leadership when renewals fail for the renew deadline', async () => {
    const clock = new FakeClock();
    const server = leaseServer();
    const a = elector(server, clock, 'a');
    await a.acquired;
    let lost = false;
    void a.lost.then(() => { lost = true; });
    server.setDown(true);
    await run(clock, 1500);
    expect(lost).toBe(false); // within the deadline, still leading
    await run(clock, 1000);
    expect([lost, a.isLeader()]).toEqual([true, false]);
    await a.release();
  });

  it('should let a candidate take a released lease at once, counting the transition', async () => {
    const clock = new FakeClock();
    const server = leaseServer();
    const a = elector(server, clock, 'a');
    await a.acquired;
    await a.release(); // hands back: no holder
    expect(server.lease()?.holderIdentity).toBe('');
    const b = elector(server, clock, 'b');
    await b.acquired;
    expect(server.lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.release();
  });

  it('should take over a lease whose holder stopped renewing, only after a lease duration', async () => {
    const clock = new FakeClock();
    const server = leaseServer();
    // A leader that died without releasing: the lease names it and is never renewed again.
    server.seed({ holderIdentity: 'dead', renewTime: '2026-01-05T12:00:00.000000Z', leaseDurationSeconds: 3, leaseTransitions: 4 });
    const b = elector(server, clock, 'b');
    let bLeads = false;
    void b.acquired.then(() => { bLeads = true; });
    await run(clock, 2500);
    expect(bLeads).toBe(false);
    await run(clock, 1000);
    expect(bLeads).toBe(true);
    expect(server.lease()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
    await b.release();
  });

  it('should reject acquired when released before leading', async () => {
    const clock = new FakeClock();
    const server = leaseServer();
    const a = elector(server, clock, 'a');
    await a.acquired;
    const b = elector(server, clock, 'b');
    await b.release();
    await expect(b.acquired).rejects.toThrow(/stopped before/);
    await a.release();
  });
});
