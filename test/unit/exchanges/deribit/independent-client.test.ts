// ccxt (an independent, widely used Deribit client) against the simulator: proves the simulator
// verifies requests the way Deribit does, not merely the way exkey's adapter signs them. ccxt signs
// private REST calls with the deri-hmac-sha256 header over GET + path?query (ccxt/js/src/deribit.js
// sign()) and stamps them with Date.now(), so this suite runs the simulator on the real clock.

import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeribitAdapter } from '../../../../src/exchanges/deribit/adapter.ts';
import type { DeribitSimulator } from '../../../../src/exchanges/deribit/simulator/index.ts';
import type { Credentials, IssuedKey } from '../../../../src/exchanges/types.ts';
import { systemClock } from '../../../../src/runtime/clock.ts';
import { MASTER_KEY, MASTER_SECRET, startSim } from './support.ts';

const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET };
let sim: DeribitSimulator;
let adapter: ReturnType<typeof createDeribitAdapter>;

beforeAll(async () => {
  sim = await startSim({ clock: systemClock, rateLimits: false });
  adapter = createDeribitAdapter({ endpoint: sim.url, clock: systemClock });
});

afterAll(async () => {
  await sim.stop();
});

function client(key: Credentials): InstanceType<typeof ccxt.deribit> {
  return new ccxt.deribit({ apiKey: key.keyId, secret: key.secret ?? '', enableRateLimit: false, urls: { api: { rest: sim.url } } });
}

function createdByAdapter(): Promise<IssuedKey> {
  return adapter.create(master, {
    permissions: ['read', 'trade'],
    ipAllowlist: ['127.0.0.1'],
    keyType: 'hmac',
    owner: { uid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', version: 1 },
  });
}

describe('ccxt against the Deribit simulator', () => {
  it('should be accepted by get_account_summary when it signs with a key the adapter created', async () => {
    const issued = await createdByAdapter();
    const res = await client(issued.credentials).privateGetGetAccountSummary({ currency: 'BTC' });
    expect(res).toMatchObject({ jsonrpc: '2.0', result: { currency: 'BTC' } });
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ httpMethod: 'GET', method: 'private/get_account_summary', clientId: issued.credentials.keyId, httpStatus: 200 });
  });

  it('should be refused with 13009 when it signs with the wrong secret', async () => {
    const issued = await createdByAdapter();
    const call = client({ keyId: issued.credentials.keyId, secret: 'not-the-secret' }).privateGetGetAccountSummary({ currency: 'BTC' });
    await expect(call).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ code: 13009, httpStatus: 401 });
  });

  it('should be refused with 13004 when the adapter has revoked the key', async () => {
    const issued = await createdByAdapter();
    await adapter.revoke(master, { keyId: issued.credentials.keyId });
    await expect(client(issued.credentials).privateGetGetAccountSummary({ currency: 'BTC' })).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ code: 13004 });
  });

  it('should let the master key create a key with a GET query that the adapter then validates', async () => {
    const res = await client(master).privateGetCreateApiKey({ max_scope: 'account:read trade:read_write', name: 'made_by_ccxt' });
    const created = res.result as { client_id: string; client_secret: string; max_scope: string };
    expect(created.max_scope).toBe('account:read trade:read_write');
    const info = await adapter.validate({ keyId: created.client_id, secret: created.client_secret });
    expect(info.permissions).toEqual(['read', 'trade']);
  });

  it('should list and remove keys with the master key', async () => {
    const issued = await createdByAdapter();
    const listed = await client(master).privateGetListApiKeys();
    const entry = (listed.result as Array<{ id: number; client_id: string }>).find((k) => k.client_id === issued.credentials.keyId);
    expect(entry).toBeDefined();
    await client(master).privateGetRemoveApiKey({ id: entry?.id });
    expect(sim.state.getKey(issued.credentials.keyId)?.deleted).toBe(true);
  });

  it('should get a token from public/auth with client_credentials and read the venue clock', async () => {
    const issued = await createdByAdapter();
    const auth = await client(issued.credentials).publicGetAuth({ grant_type: 'client_credentials', client_id: issued.credentials.keyId, client_secret: issued.credentials.secret });
    expect(auth.result).toMatchObject({ token_type: 'bearer', scope: expect.stringContaining('trade:read_write') });
    const time = await client(master).publicGetGetTime();
    expect(Math.abs(Number(time.result) - Date.now())).toBeLessThan(5000);
  });
});
