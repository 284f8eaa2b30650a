// ccxt's coinbase (an independently written client) signs CDP-key JWTs: ES256 with iss
// "coinbase-cloud" and `uri`, EdDSA with iss "cdp" and `uris`. ccxt puts the URL it calls into
// the token's uri (scheme stripped), so it only mints tokens for https hosts; this suite lets
// ccxt sign for api.coinbase.com (its default) and sends that exact request to the simulator,
// which accepts tokens for the host it stands in for. Nothing is sent to Coinbase.

import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoinbaseSimulator } from '../../../../src/exchanges/coinbase/simulator/index.ts';
import { systemClock } from '../../../../src/runtime/clock.ts';
import { PATH, cdpEd25519Secret, cdpPair, getPermissions, startSim } from './support.ts';

let sim: CoinbaseSimulator;

beforeAll(async () => {
  sim = await startSim({ clock: systemClock, rateLimits: false });
});

afterAll(async () => {
  await sim.stop();
});

function ccxtAuthorization(apiKey: string, secret: string): string {
  const exchange = new ccxt.coinbase({ apiKey, secret });
  const signed = exchange.sign('brokerage/key_permissions', ['v3', 'private'], 'GET', {});
  expect(signed.url).toBe(`https://api.coinbase.com${PATH}`);
  return String(signed.headers.Authorization);
}

describe('ccxt coinbase against the simulator', () => {
  it('should be accepted when ccxt signs ES256 with an ECDSA key a human created', async () => {
    const pair = cdpPair('ECDSA', 'ccxt-ec');
    sim.state.addKey({ name: pair.name, publicKeyPem: pair.publicKey, can_view: true, can_trade: true, can_transfer: false });
    const answer = await getPermissions(sim.url, ccxtAuthorization(pair.name, pair.privateKey));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ can_view: true, can_trade: true });
  });

  it('should be accepted when ccxt signs EdDSA with the portal\'s Ed25519 secret', async () => {
    const pair = cdpPair('Ed25519', 'ccxt-ed');
    sim.state.addKey({ name: pair.name, publicKeyPem: pair.publicKey, can_view: true, can_trade: false, can_transfer: false });
    expect((await getPermissions(sim.url, ccxtAuthorization(pair.name, cdpEd25519Secret(pair.privateKey)))).status).toBe(200);
  });

  it('should be refused with 401 when ccxt signs with a key the human deleted', async () => {
    const pair = cdpPair('ECDSA', 'ccxt-gone');
    sim.state.addKey({ name: pair.name, publicKeyPem: pair.publicKey, can_view: true, can_trade: false, can_transfer: false });
    sim.state.deleteKey(pair.name);
    expect(await getPermissions(sim.url, ccxtAuthorization(pair.name, pair.privateKey))).toEqual({ status: 401, text: 'Unauthorized\n' });
  });
});
