// bybit-api (an independent, widely used Bybit client) against the simulator: proves the
// simulator verifies requests the way Bybit does, not merely the way exkey's adapter signs them.
// bybit-api stamps requests with Date.now(), so this suite runs the simulator on the real clock.

import { RestClientV5 } from 'bybit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBybitAdapter } from '../../../../src/exchanges/bybit/adapter.ts';
import type { BybitSimulator } from '../../../../src/exchanges/bybit/simulator/index.ts';
import { systemClock } from '../../../../src/runtime/clock.ts';
import type { Credentials, IssuedKey } from '../../../../src/exchanges/types.ts';
import { MASTER_KEY, MASTER_SECRET, SUB_UID, startSim } from './support.ts';

const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET };
let sim: BybitSimulator;
let adapter: ReturnType<typeof createBybitAdapter>;

beforeAll(async () => {
  sim = await startSim({ clock: systemClock, rateLimits: false });
  adapter = createBybitAdapter({ endpoint: sim.url, clock: systemClock });
});

afterAll(async () => {
  await sim.stop();
});

function client(key: Credentials): RestClientV5 {
  return new RestClientV5({ key: key.keyId, secret: key.secret ?? '', baseUrl: sim.url });
}

async function createdByAdapter(): Promise<IssuedKey> {
  return adapter.create(master, {
    account: SUB_UID,
    permissions: ['read', 'trade:derivatives'],
    ipAllowlist: [],
    keyType: 'hmac',
    owner: { uid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', version: 1 },
  });
}

describe('bybit-api against the simulator', () => {
  it('should be accepted by query-api when it signs with a key the adapter created', async () => {
    const issued = await createdByAdapter();
    const res = await client(issued.credentials).getQueryApiKey();
    expect(res.retCode).toBe(0);
    expect(res.result).toMatchObject({ apiKey: issued.credentials.keyId, readOnly: 0, permissions: { ContractTrade: ['Order', 'Position'] } });
    const last = sim.state.recentRequests().at(-1);
    expect(last).toMatchObject({ path: '/v5/user/query-api', apiKey: issued.credentials.keyId, retCode: 0 });
  });

  it('should be refused with 10003 (HTTP 401) when the adapter has revoked the key', async () => {
    const issued = await createdByAdapter();
    await adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_UID });
    // bybit-api rejects non-200 answers with { code: <status>, body: <envelope> }.
    await expect(client(issued.credentials).getQueryApiKey()).rejects.toMatchObject({ code: 401, body: { retCode: 10003 } });
  });

  it('should be refused with 10004 when it signs with the wrong secret', async () => {
    const issued = await createdByAdapter();
    const res = await client({ keyId: issued.credentials.keyId, secret: 'not-the-secret' }).getQueryApiKey();
    expect(res.retCode).toBe(10004);
  });

  it('should let the master key create a sub key that the adapter then validates', async () => {
    const res = await client(master).createSubUIDAPIKey({
      subuid: Number(SUB_UID),
      readOnly: 0,
      permissions: { Spot: ['SpotTrade'], Options: ['OptionsTrade'] },
      note: 'made by bybit-api',
    });
    expect(res.retCode, res.retMsg).toBe(0);
    const info = await adapter.validate({ keyId: res.result.apiKey, secret: res.result.secret });
    expect(info.permissions).toEqual(['read', 'trade:spot', 'trade:options']);
  });

  it('should list and delete sub keys with the master key (GET with a query string, POST with a body)', async () => {
    const issued = await createdByAdapter();
    const listed = await client(master).getSubAccountAllApiKeys({ subMemberId: SUB_UID, limit: 20 });
    expect(listed.retCode, listed.retMsg).toBe(0);
    expect(listed.result.result.map((k) => k.apiKey)).toContain(issued.credentials.keyId);
    const deleted = await client(master).deleteSubApiKey({ apikey: issued.credentials.keyId });
    expect(deleted.retCode, deleted.retMsg).toBe(0);
    expect(sim.state.getKey(issued.credentials.keyId)?.deleted).toBe(true);
  });

  it('should read the simulator clock through the public time endpoint', async () => {
    const serverSeconds = await client(master).fetchServerTime();
    expect(Math.abs(serverSeconds * 1000 - Date.now())).toBeLessThan(5000);
  });
});
