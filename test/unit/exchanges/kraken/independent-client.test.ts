// ccxt's kraken (a widely used, independently written client) against the simulator: proves the
// simulator verifies requests the way Kraken does, not merely the way exkey's validator signs
// them. ccxt stamps nonces with Date.now(), so this suite runs the simulator on the real clock;
// ccxt always talks to the simulator's URL, never to Kraken.

import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KrakenSimulator } from '../../../../src/exchanges/kraken/simulator/index.ts';
import { createKrakenValidator } from '../../../../src/exchanges/kraken/validator.ts';
import { systemClock } from '../../../../src/runtime/clock.ts';
import { TRADER, startSim } from './support.ts';

let sim: KrakenSimulator;

beforeAll(async () => {
  sim = await startSim({ clock: systemClock, rateLimits: false });
});

afterAll(async () => {
  await sim.stop();
});

function client(apiKey: string, secret: string): InstanceType<typeof ccxt.kraken> {
  const exchange = new ccxt.kraken({ apiKey, secret, enableRateLimit: false });
  exchange.urls.api = { ...exchange.urls.api, public: sim.url, private: sim.url };
  return exchange;
}

describe('ccxt kraken against the simulator', () => {
  it('should be accepted by GetApiKeyInfo when it signs with a key a human created', async () => {
    const created = sim.state.addKey({ apiKeyName: 'ccxt', permissions: ['query-funds'], ipAllowlist: [], nonceWindow: 0, validUntilMs: 0 });
    const answer = await client(created.apiKey, created.secret).privatePostGetApiKeyInfo();
    expect(answer).toMatchObject({ error: [], result: { apiKey: created.apiKey, permissions: ['query-funds'] } });
  });

  it('should be refused as ccxt\'s AuthenticationError when it signs with the wrong secret', async () => {
    await expect(client(TRADER.apiKey ?? '', Buffer.alloc(64, 3).toString('base64')).privatePostGetApiKeyInfo()).rejects.toThrow(/Invalid signature/);
  });

  it('should be refused when a human deleted the key', async () => {
    const created = sim.state.addKey({ apiKeyName: 'gone', permissions: ['query-funds'], ipAllowlist: [], nonceWindow: 0, validUntilMs: 0 });
    sim.state.deleteKey(created.apiKey);
    await expect(client(created.apiKey, created.secret).privatePostGetApiKeyInfo()).rejects.toThrow(/Invalid key/);
  });

  it('should share one nonce sequence with exkey\'s validator when both use the same key', async () => {
    const created = sim.state.addKey({ apiKeyName: 'shared', permissions: ['query-funds'], ipAllowlist: [], nonceWindow: 0, validUntilMs: 0 });
    const validator = createKrakenValidator({ endpoint: sim.url, clock: systemClock });
    const credentials = { keyId: created.apiKey, secret: created.secret };
    // Millisecond nonces on both sides: the validator never pushes the mark past what ccxt sends next.
    await validator.validate(credentials);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(client(created.apiKey, created.secret).privatePostGetApiKeyInfo()).resolves.toMatchObject({ error: [] });
    await validator.validate(credentials);
  });
});
