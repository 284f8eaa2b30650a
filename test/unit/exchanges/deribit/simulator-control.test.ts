// The /__sim/ control API over a Deribit simulator: key views without secrets, venue-side patches,
// the TFA switch, rpcError faults, and reset.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeribitSimulator } from '../../../../src/exchanges/deribit/simulator/index.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MASTER_SECRET, createKey, rawCall, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
let sim: DeribitSimulator;

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  sim = await startSim({ clock, rateLimits: false });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.state.reset();
});

describe('deribit /__sim/ control API', () => {
  it('should list keys without any secret when asked for them', async () => {
    const key = await createKey(sim.url, clock);
    const { status, json } = await admin('GET', '/__sim/keys');
    expect(status).toBe(200);
    expect(json.keys.map((k: { client_id: string }) => k.client_id)).toContain(key.clientId);
    expect(JSON.stringify(json)).not.toContain(key.secret);
    expect(JSON.stringify(json)).not.toContain(MASTER_SECRET);
  });

  it('should change a key venue-side when patched and refuse a malformed scope', async () => {
    const key = await createKey(sim.url, clock);
    const patched = await admin('PATCH', `/__sim/keys/${key.clientId}`, { max_scope: 'account:read wallet:read_write', ip_whitelist: ['10.0.0.1'] });
    expect(patched.json.key).toMatchObject({ max_scope: 'account:read wallet:read_write', ip_whitelist: ['10.0.0.1'] });
    expect((await admin('PATCH', `/__sim/keys/${key.clientId}`, { max_scope: 'wallet:everything' })).status).toBe(400);
    expect((await admin('PATCH', '/__sim/keys/nobody', { name: 'x' })).status).toBe(404);
  });

  it('should switch TFA for API key management when posted', async () => {
    expect((await admin('POST', '/__sim/tfa', { enabled: true })).json).toEqual({ tfa: true });
    const answer = await rawCall(sim.url, { uri: '/api/v2/private/list_api_keys' }, clock);
    expect(answer.json.result).toMatchObject({ security_key_authorization_required: true });
    expect((await admin('POST', '/__sim/tfa', { enabled: 'yes' })).status).toBe(400);
  });

  it('should answer an injected rpcError with Deribit\'s message and record it', async () => {
    const added = await admin('POST', '/__sim/faults', { kind: 'rpcError', code: 10028, times: 1 });
    expect(added.status).toBe(201);
    const answer = await rawCall(sim.url, { uri: '/api/v2/private/list_api_keys' }, clock);
    expect(answer).toMatchObject({ status: 400, json: { error: { code: 10028, message: 'too_many_requests' } } });
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ path: '/api/v2/private/list_api_keys', code: 10028, fault: expect.stringMatching(/^rpcError#/) });
    expect((await admin('POST', '/__sim/faults', { kind: 'rpcError', code: 1.5 })).status).toBe(400);
  });

  it('should forget created keys when reset', async () => {
    const key = await createKey(sim.url, clock);
    expect((await admin('POST', '/__sim/reset')).status).toBe(200);
    expect(sim.state.getKey(key.clientId)).toBeUndefined();
  });
});
