// okx-api (an independent, widely used OKX client: RestClient signs with apiKey, apiSecret and
// apiPass) against the simulator: proves the simulator verifies requests the way OKX does, not
// merely the way exkey's adapter signs them. okx-api stamps requests with the wall clock, so this
// suite runs the simulator on the real clock; baseUrl points it at the simulator, never OKX.

import { RestClient } from 'okx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOkxAdapter } from '../../../../src/exchanges/okx/adapter.ts';
import type { OkxSimulator } from '../../../../src/exchanges/okx/simulator/index.ts';
import { systemClock } from '../../../../src/runtime/clock.ts';
import type { Credentials, IssuedKey } from '../../../../src/exchanges/types.ts';
import { MASTER_KEY, MASTER_PASSPHRASE, MASTER_SECRET, SUB_ACCT, startSim } from './support.ts';

const master: Credentials = { keyId: MASTER_KEY, secret: MASTER_SECRET, passphrase: MASTER_PASSPHRASE };
let sim: OkxSimulator;
let adapter: ReturnType<typeof createOkxAdapter>;
let version = 0;

beforeAll(async () => {
  sim = await startSim({ clock: systemClock, rateLimits: false });
  adapter = createOkxAdapter({ endpoint: sim.url, clock: systemClock });
});

afterAll(async () => {
  await sim.stop();
});

function client(key: Credentials): RestClient {
  return new RestClient({ apiKey: key.keyId, apiSecret: key.secret ?? '', apiPass: key.passphrase ?? '', baseUrl: sim.url });
}

async function createdByAdapter(): Promise<IssuedKey> {
  return adapter.create(master, {
    account: SUB_ACCT,
    permissions: ['read', 'trade'],
    ipAllowlist: ['127.0.0.1'],
    keyType: 'hmac',
    owner: { uid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', version: ++version },
  });
}

describe('okx-api against the simulator', () => {
  it('should be accepted by account/config when it signs with a key the adapter created', async () => {
    const issued = await createdByAdapter();
    const [config] = await client(issued.credentials).getAccountConfiguration();
    expect(config).toMatchObject({ perm: 'read_only,trade', ip: '127.0.0.1', mainUid: '100000000000000001' });
    expect(sim.state.recentRequests().at(-1)).toMatchObject({ path: '/api/v5/account/config', apiKey: issued.credentials.keyId, code: '0' });
  });

  it.each([
    { name: 'should be refused with 50113 when it signs with the wrong secret', change: { secret: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' }, code: '50113' },
    { name: 'should be refused with 50105 when it sends the wrong passphrase', change: { passphrase: 'Wrong-Pass1!' }, code: '50105' },
  ])('$name', async ({ change, code }) => {
    const issued = await createdByAdapter();
    // okx-api rejects with OKX's envelope when the answer is not a success.
    await expect(client({ ...issued.credentials, ...change }).getAccountConfiguration()).rejects.toMatchObject({ code, data: [] });
  });

  it('should be refused with 50111 when the adapter has revoked the key', async () => {
    const issued = await createdByAdapter();
    await adapter.revoke(master, { keyId: issued.credentials.keyId, account: SUB_ACCT });
    await expect(client(issued.credentials).getAccountConfiguration()).rejects.toMatchObject({ code: '50111' });
  });

  it('should let the master key create a sub key (POST body with okx-api\'s extra tag) that the adapter then validates', async () => {
    const [created] = await client(master).postPrivate('/api/v5/users/subaccount/apikey', {
      subAcct: SUB_ACCT, label: 'madebyokxapi', passphrase: 'Okx-Api-Pass1!', perm: 'read_only', ip: '127.0.0.1',
    }) as Array<{ apiKey: string; secretKey: string; passphrase: string }>;
    const info = await adapter.validate({ keyId: created!.apiKey, secret: created!.secretKey, passphrase: created!.passphrase });
    expect(info).toMatchObject({ permissions: ['read'], ipAllowlist: ['127.0.0.1'], withdrawEnabled: false });
  });

  it('should list (GET with a query string), reset and delete sub keys with the master key', async () => {
    const issued = await createdByAdapter();
    const listed = await client(master).getPrivate('/api/v5/users/subaccount/apikey', { subAcct: SUB_ACCT }) as Array<{ apiKey: string }>;
    expect(listed.map((k) => k.apiKey)).toContain(issued.credentials.keyId);
    const [reset] = await client(master).resetSubAccountAPIKey({ subAcct: SUB_ACCT, apiKey: issued.credentials.keyId, perm: 'read_only', ip: '127.0.0.1,10.0.0.1' });
    expect(reset).toMatchObject({ perm: 'read_only', ip: '127.0.0.1,10.0.0.1' });
    await client(master).postPrivate('/api/v5/users/subaccount/delete-apikey', { subAcct: SUB_ACCT, apiKey: issued.credentials.keyId });
    expect(sim.state.getKey(issued.credentials.keyId)?.deleted).toBe(true);
  });

  it('should read the simulator clock through the public time endpoint', async () => {
    const serverMs = await client(master).getServerTime();
    expect(Math.abs(serverMs - systemClock.nowMs())).toBeLessThan(5000);
  });
});
