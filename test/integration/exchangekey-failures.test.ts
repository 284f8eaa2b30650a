// Bad input and failing exchanges: every failure shows up as a condition with a reason and a
// Warning Event, is retried with backoff, and leaves no key orphaned at the exchange.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeError, type ExchangeAdapter } from '../../src/exchanges/types.ts';
import type { AdapterRegistry } from '../../src/exchanges/registry.ts';
import { waitFor } from '../support/kube.ts';
import { startHarness, type Harness } from '../support/harness.ts';

// The next N creates reach the exchange but their answers are "lost", as when a connection
// drops after the venue processed the request.
let loseNextCreateResponses = 0;

function losingCreateResponses(registry: AdapterRegistry): AdapterRegistry {
  return {
    ...registry,
    get(name, endpoint): ExchangeAdapter {
      const real = registry.get(name, endpoint);
      return {
        ...real,
        name: real.name,
        create: async (master, request) => {
          const issued = await real.create(master, request);
          if (loseNextCreateResponses > 0) {
            loseNextCreateResponses -= 1;
            throw new ExchangeError({ venue: 'bybit', kind: 'unavailable', code: 'ECONNRESET', message: 'socket hang up' });
          }
          return issued;
        },
      };
    },
  };
}

let h: Harness;

beforeAll(async () => {
  // No pacing: the outage test measures exkey's own growing retry gaps, which spacing creates to
  // Bybit's 1/s would flatten.
  h = await startHarness({ masterSecret: false, wrapAdapters: losingCreateResponses, pacing: false });
});

afterAll(async () => {
  await h.stop();
});

function liveSubKeys(): ReturnType<typeof h.sim.state.listKeys> {
  return h.sim.state.listKeys().filter((k) => !k.isMaster && !k.deleted);
}

describe('ExchangeKey failure paths', () => {
  it('should report a missing master Secret with a condition and a Warning Event, then recover when it appears', async () => {
    await h.createKey('waiting');
    const key = await h.waitForCondition('waiting', { type: 'Ready', status: 'False', reason: 'MasterCredentialsNotFound' });
    expect(key.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain('"bybit-master" not found');
    await waitFor(async () => (await h.events('waiting')).some((e) => e.type === 'Warning' && e.reason === 'MasterCredentialsNotFound'), {
      description: 'a MasterCredentialsNotFound Warning Event',
    });
    expect(liveSubKeys()).toEqual([]);

    await h.createMasterSecret();
    const ready = await h.waitForCondition('waiting', { type: 'Ready', status: 'True', reason: 'Issued' }, 60_000);
    expect(ready.status?.currentVersion).toBe(1);
  });

  it('should report an unknown exchange without calling anything', async () => {
    await h.createKey('nowhere', { exchange: 'kraken', account: undefined });
    const key = await h.waitForCondition('nowhere', { type: 'Ready', status: 'False', reason: 'UnknownExchange' });
    expect(key.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain('"kraken"');
    await waitFor(async () => (await h.events('nowhere')).some((e) => e.reason === 'UnknownExchange' && e.type === 'Warning'), {
      description: 'an UnknownExchange Warning Event',
    });
    // Only Kubernetes steps were taken for this key: no credentials read, no exchange call.
    const steps = h.logs
      .filter((l) => l.includes('/nowhere"') && l.includes('"msg":"step"'))
      .map((l) => (JSON.parse(l) as { step: string }).step);
    expect(steps.length).toBeGreaterThan(0);
    expect(new Set(steps)).toEqual(new Set(['AddFinalizer', 'WriteStatus']));
  });

  it('should retry with backoff while the exchange fails, and issue once it recovers', async () => {
    h.sim.state.addFault({ kind: 'status', status: 503, pathPrefix: '/v5/user/create-sub-api', times: 3 });
    const mark = h.sim.state.recentRequests().length;
    await h.createKey('outage');
    const ready = await h.waitForCondition('outage', { type: 'Ready', status: 'True', reason: 'Issued' }, 60_000);
    expect(ready.status?.conditions?.find((c) => c.type === 'Degraded')).toBeUndefined();

    // Each failed attempt was reported (one Event, its count bumped per repeat) ...
    await waitFor(async () => {
      const warning = (await h.events('outage')).find((e) => e.type === 'Warning' && e.reason === 'ExchangeUnavailable');
      return (warning?.count ?? 0) >= 3;
    }, { description: 'ExchangeUnavailable Warning Event counted three times' });
    // ... and retried after a growing delay: three 503s, then the create that succeeded.
    const creates = h.sim.state.recentRequests().slice(mark).filter((r) => r.path === '/v5/user/create-sub-api');
    expect(creates.map((r) => r.httpStatus)).toEqual([503, 503, 503, 200]);
    const gaps = creates.slice(1).map((r, i) => Date.parse(r.at) - Date.parse(creates[i]?.at ?? r.at));
    expect(gaps[1]).toBeGreaterThan(gaps[0] ?? 0);
    expect(gaps[2]).toBeGreaterThan(gaps[1] ?? 0);
    expect(h.sim.state.listFaults()).toEqual([]);
  });

  it('should revoke a new key that fails validation and keep trying', async () => {
    h.sim.state.addFault({ kind: 'retCode', retCode: 10005, pathPrefix: '/v5/user/query-api', times: 1 });
    const before = new Set(h.sim.state.listKeys().map((k) => k.apiKey));
    await h.createKey('rejected');
    const ready = await h.waitForCondition('rejected', { type: 'Ready', status: 'True', reason: 'Issued' }, 60_000);
    const created = h.sim.state.listKeys().filter((k) => !before.has(k.apiKey));
    expect(created).toHaveLength(2);
    expect(created.filter((k) => k.deleted)).toHaveLength(1);
    const events = await h.events('rejected');
    expect(events.some((e) => e.reason === 'ValidationFailed' && e.message?.includes('was revoked'))).toBe(true);
    expect(events.some((e) => e.reason === 'Revoked' && e.type === 'Warning')).toBe(true);
    expect(ready.status?.keys).toHaveLength(1);
  });

  it('should revoke a key the exchange created although its answer was lost', async () => {
    loseNextCreateResponses = 1;
    const before = new Set(h.sim.state.listKeys().map((k) => k.apiKey));
    await h.createKey('lost-answer');
    await h.waitForCondition('lost-answer', { type: 'Ready', status: 'True', reason: 'Issued' }, 60_000);
    const created = h.sim.state.listKeys().filter((k) => !before.has(k.apiKey));
    expect(created).toHaveLength(2);
    expect(created.filter((k) => !k.deleted)).toHaveLength(1);
    const material = await h.readMaterial('lost-answer');
    expect(created.find((k) => !k.deleted)?.apiKey).toBe(material.apiKey);
    expect((await h.events('lost-answer')).some((e) => e.reason === 'OrphanRevoked')).toBe(true);
  });

  it('should block deletion while it cannot revoke, and let go once deletionPolicy is Retain', async () => {
    await h.createKey('blocked', { masterCredentialsRef: { name: 'blocked-master' } });
    await h.kube.send({
      method: 'POST', path: `/api/v1/namespaces/${h.namespace}/secrets`,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'blocked-master' }, stringData: h.master },
    });
    await h.waitForCondition('blocked', { type: 'Ready', status: 'True' }, 60_000);
    const material = await h.readMaterial('blocked');
    await h.kube.send({ method: 'DELETE', path: `/api/v1/namespaces/${h.namespace}/secrets/blocked-master` });
    await h.kube.send({ method: 'DELETE', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/blocked` });
    const stuck = await h.waitForCondition('blocked', { type: 'Degraded', status: 'True', reason: 'RevokeBlocked' });
    expect(stuck.status?.conditions?.find((c) => c.type === 'Degraded')?.message).toContain('deletionPolicy: Retain');
    expect(h.sim.state.getKey(material.apiKey)?.deleted).toBe(false);

    await h.kube.send({
      method: 'PATCH', path: `/apis/exkey.io/v1alpha1/namespaces/${h.namespace}/exchangekeys/blocked`,
      patchType: 'merge', body: { spec: { deletionPolicy: 'Retain' } },
    });
    await waitFor(async () => (await h.getKey('blocked')) === undefined, { description: 'blocked deleted after Retain' });
    expect(h.sim.state.getKey(material.apiKey)?.deleted).toBe(false);
  });

  it('should leave exactly one live exchange key per issued ExchangeKey', async () => {
    // 'blocked' was deliberately retained at the exchange; every other key has exactly one live key.
    const live = liveSubKeys();
    const issued = ['waiting', 'outage', 'rejected', 'lost-answer'];
    expect(live).toHaveLength(issued.length + 1);
    for (const name of issued) {
      const material = await h.readMaterial(name);
      expect(live.map((k) => k.apiKey)).toContain(material.apiKey);
    }
  });
});
