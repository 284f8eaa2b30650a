// With pacing on (as the operator runs), back-to-back creates against a simulator that enforces the
// venue's published limits all succeed: the adapter waits for the window instead of being refused.
// Without pacing the second create in the same second is refused as a rate limit.
import { afterEach, describe, expect, it } from 'vitest';
import { createBybitAdapter } from '../../../src/exchanges/bybit/adapter.ts';
import { createOkxAdapter } from '../../../src/exchanges/okx/adapter.ts';
import type { Credentials, ExchangeAdapter, KeyRequest } from '../../../src/exchanges/types.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { caught } from '../../support/exchange-error.ts';
import * as bybit from './bybit/support.ts';
import * as okx from './okx/support.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => { for (const stop of stops.splice(0)) await stop(); });

interface Venue {
  name: string;
  start(): Promise<{ adapter: (pacing: boolean) => ExchangeAdapter; master: Credentials; request: (version: number) => KeyRequest }>;
}

const request = (account: string, ipAllowlist: string[]) => (version: number): KeyRequest => ({
  account, permissions: ['read', 'trade'], ipAllowlist, keyType: 'hmac', owner: { uid: 'f0e1d2c3-pacing', version },
});

const VENUES: Venue[] = [
  {
    name: 'bybit',
    async start() {
      const sim = await bybit.startSim({ rateLimits: true });
      stops.push(() => sim.stop());
      return {
        adapter: (pacing) => createBybitAdapter({ endpoint: sim.url, clock: systemClock, pacing }),
        master: { keyId: bybit.MASTER_KEY, secret: bybit.MASTER_SECRET },
        request: request(bybit.SUB_UID, []),
      };
    },
  },
  {
    name: 'okx',
    async start() {
      const sim = await okx.startSim({ rateLimits: true });
      stops.push(() => sim.stop());
      return {
        adapter: (pacing) => createOkxAdapter({ endpoint: sim.url, clock: systemClock, pacing }),
        master: { keyId: okx.MASTER_KEY, secret: okx.MASTER_SECRET, passphrase: okx.MASTER_PASSPHRASE },
        request: request(okx.SUB_ACCT, ['127.0.0.1']),
      };
    },
  },
];

describe.each(VENUES)('pacing against the $name simulator', (venue) => {
  it('should space back-to-back creates to the published limit instead of being refused', async () => {
    const { adapter, master, request: req } = await venue.start();
    const paced = adapter(true);
    const keys = await Promise.all([1, 2].map((v) => paced.create(master, req(v))));
    expect(new Set(keys.map((k) => k.credentials.keyId)).size).toBe(2);
  });

  it('should be refused with rate-limit when it does not pace (the limit is real)', async () => {
    const { adapter, master, request: req } = await venue.start();
    const unpaced = adapter(false);
    await unpaced.create(master, req(1));
    expect(await caught(unpaced.create(master, req(2)))).toMatchObject({ kind: 'rate-limit' });
  });
});
