// The "binance" npm package (tiagosiebler's widely used client) against the simulator: proves the
// simulator verifies requests the way Binance does, not merely the way exkey's adapter signs them.
// The library stamps requests with Date.now(), so this suite runs the simulator on the real clock,
// and it always talks to the simulator's URL (baseUrl), never to Binance.

import { generateKeyPairSync } from 'node:crypto';
import { MainClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBinanceAdapter } from '../../../../src/exchanges/binance/adapter.ts';
import type { BinanceSimulator } from '../../../../src/exchanges/binance/simulator/index.ts';
import type { Credentials, IssuedKey } from '../../../../src/exchanges/types.ts';
import { systemClock } from '../../../../src/runtime/clock.ts';
import { MASTER_KEY, MASTER_SECRET, SUB_EMAIL, keyRequest, startSim } from './support.ts';

const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET };
let sim: BinanceSimulator;
let adapter: ReturnType<typeof createBinanceAdapter>;

beforeAll(async () => {
  sim = await startSim({ clock: systemClock, rateLimits: false });
  adapter = createBinanceAdapter({ endpoint: sim.url, clock: systemClock });
});

afterAll(async () => {
  await sim.stop();
});

function client(apiKey: string, secretOrPrivateKey: string): MainClient {
  return new MainClient({ api_key: apiKey, api_secret: secretOrPrivateKey, baseUrl: sim.url });
}

function createdByAdapter(): Promise<IssuedKey> {
  return adapter.create(master, keyRequest({ permissions: ['read', 'trade:derivatives'] }));
}

describe('binance (npm) against the simulator', () => {
  it('should be accepted by apiRestrictions when it signs with a key the adapter created', async () => {
    const issued = await createdByAdapter();
    const permissions = await client(issued.credentials.keyId, issued.credentials.secret ?? '').getApiKeyPermissions();
    expect(permissions).toMatchObject({ ipRestrict: false, enableReading: true, enableFutures: true, enableSpotAndMarginTrading: false, enableWithdrawals: false });
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ path: '/sapi/v1/account/apiRestrictions', apiKey: issued.credentials.keyId, httpStatus: 200 });
  });

  it('should be refused with -1022 when it signs with the wrong secret', async () => {
    const issued = await createdByAdapter();
    // The library rejects non-2xx answers with { code, message, body }.
    await expect(client(issued.credentials.keyId, 'not-the-secret').getApiKeyPermissions()).rejects.toMatchObject({ code: -1022 });
  });

  it('should be refused with -2015 when the adapter has revoked the key', async () => {
    const issued = await createdByAdapter();
    await adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_EMAIL });
    await expect(client(issued.credentials.keyId, issued.credentials.secret ?? '').getApiKeyPermissions()).rejects.toMatchObject({ code: -2015 });
  });

  it('should be accepted when it signs with the Ed25519 private key of a key registered by public key only', async () => {
    const pair = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const issued = await adapter.create(master, keyRequest({ keyType: 'ed25519', publicKey: pair.publicKey }));
    expect(sim.state.getKey(issued.credentials.keyId)).toMatchObject({ hasSecret: false, keyType: 'ed25519' });
    const permissions = await client(issued.credentials.keyId, pair.privateKey).getApiKeyPermissions();
    expect(permissions).toMatchObject({ enableSpotAndMarginTrading: true, permitsUniversalTransfer: true });
    const stranger = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    await expect(client(issued.credentials.keyId, stranger.privateKey).getApiKeyPermissions()).rejects.toMatchObject({ code: -1022 });
  });

  it('should let the master create (v1, parameters in the query string), list and delete keys that the adapter then sees', async () => {
    const master = client(MASTER_KEY, MASTER_SECRET);
    const created = await master.postPrivate('sapi/v1/sub-account/subAccountApi', {
      email: SUB_EMAIL, apiName: 'made-by-binance-npm', status: 1, canTrade: true, canVanillaOptions: true,
    }) as { apiKey: string; secretKey: string; ipList: string[] };
    expect(created.ipList).toEqual([]);
    const info = await adapter.validate({ keyId: created.apiKey, secret: created.secretKey });
    expect(info.permissions).toEqual(['read', 'trade:spot', 'trade:options']);
    const listed = await master.getPrivate('sapi/v1/sub-account/subAccountApi', { email: SUB_EMAIL, subAccountApiKey: created.apiKey }) as { total: number; list: Array<{ apikey: string }> };
    expect(listed.list.map((k) => k.apikey)).toEqual([created.apiKey]);
    await master.deletePrivate('sapi/v1/sub-account/subAccountApi', { email: SUB_EMAIL, subAccountApiKey: created.apiKey });
    expect(sim.state.getKey(created.apiKey)?.deleted).toBe(true);
  });

  it('should read the simulator clock through the public time endpoint', async () => {
    // getServerTime() ignores baseUrl (it would call api.binance.com), so ask for the path itself.
    const { serverTime } = await client(MASTER_KEY, MASTER_SECRET).get('api/v3/time') as { serverTime: number };
    expect(Math.abs(serverTime - Date.now())).toBeLessThan(5000);
  });
});
