// The Kraken validator against the simulator: what a key a human created looks like to exkey, and
// how refusals and faults surface as ExchangeError kinds.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KrakenSimulator } from '../../../../src/exchanges/kraken/simulator/index.ts';
import { createKrakenValidator } from '../../../../src/exchanges/kraken/validator.ts';
import type { Credentials } from '../../../../src/exchanges/types.ts';
import { validatorRegistry } from '../../../../src/exchanges/validators.ts';
import { caught } from '../../../support/exchange-error.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { runningSimulator } from '../../../support/running-simulator.ts';
import { TRADER, startSim } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const sim = runningSimulator(() => startSim({ clock }));
const trader: Credentials = { keyId: TRADER.apiKey ?? '', secret: TRADER.secret ?? '' };
let validator: ReturnType<typeof createKrakenValidator>;

beforeAll(() => {
  validator = createKrakenValidator({ endpoint: sim().url, clock, timeoutMs: 300 });
});

afterEach(() => {
  sim().state.clearFaults();
});

describe('kraken validator', () => {
  it('should report read + trade:spot, no allowlist, no expiry when the key is a plain trading key', async () => {
    expect(await validator.validate(trader)).toEqual({
      keyId: TRADER.apiKey, permissions: ['read', 'trade:spot'], unmappedPermissions: [], ipAllowlist: [], withdrawEnabled: false,
    });
  });

  it('should report withdraw, the allowlist and validUntil as expiresAt when the human set them', async () => {
    sim().state.patchKey(trader.keyId, { permissions: ['query-funds', 'withdraw-funds', 'deposit-funds'], ipAllowlist: ['127.0.0.1', '10.1.0.0/16'], validUntilMs: Date.parse('2026-06-01T00:00:00Z') });
    expect(await validator.validate(trader)).toEqual({
      keyId: TRADER.apiKey, permissions: ['read', 'withdraw'], unmappedPermissions: ['deposit-funds'],
      ipAllowlist: ['127.0.0.1', '10.1.0.0/16'], withdrawEnabled: true, expiresAt: new Date('2026-06-01T00:00:00Z'),
    });
  });

  it('should keep nonces increasing when it validates the same key many times within one millisecond', async () => {
    const fresh = createKrakenValidator({ endpoint: sim().url, clock });
    for (let i = 0; i < 5; i++) await fresh.validate(trader);
    expect(sim().state.getKey(trader.keyId)?.highestNonce).toBe(String(clock.nowMs() + 4));
  });

  it.each([
    { name: 'should throw auth when the human deleted the key', setup: (s: KrakenSimulator) => s.state.deleteKey(trader.keyId), kind: 'auth', code: 'EAPI:Invalid key' },
    { name: 'should throw auth when the key is past validUntil', setup: (s: KrakenSimulator) => s.state.patchKey(trader.keyId, { validUntilMs: clock.nowMs() - 1 }), kind: 'auth', code: 'EAPI:Invalid key' },
    { name: 'should throw permission when exkey calls from outside the allowlist', setup: (s: KrakenSimulator) => s.state.patchKey(trader.keyId, { ipAllowlist: ['10.0.0.1'] }), kind: 'permission', code: 'EGeneral:Permission denied' },
    { name: 'should throw rate-limit when Kraken answers EAPI:Rate limit exceeded', setup: (s: KrakenSimulator) => s.state.addFault({ kind: 'krakenError', error: 'EAPI:Rate limit exceeded' }), kind: 'rate-limit', code: 'EAPI:Rate limit exceeded' },
    { name: 'should throw unavailable when Kraken answers EService:Unavailable', setup: (s: KrakenSimulator) => s.state.addFault({ kind: 'krakenError', error: 'EService:Unavailable' }), kind: 'unavailable', code: 'EService:Unavailable' },
    { name: 'should throw clock-skew when another client pushed the nonce ahead', setup: (s: KrakenSimulator) => s.state.addFault({ kind: 'krakenError', error: 'EAPI:Invalid nonce' }), kind: 'clock-skew', code: 'EAPI:Invalid nonce' },
    { name: 'should throw unavailable when the venue answers 503', setup: (s: KrakenSimulator) => s.state.addFault({ kind: 'status', status: 503 }), kind: 'unavailable', code: '503' },
    { name: 'should throw unavailable when the venue never answers', setup: (s: KrakenSimulator) => s.state.addFault({ kind: 'timeout' }), kind: 'unavailable', code: 'timeout' },
  ])('$name', async ({ setup, kind, code }) => {
    setup(sim());
    expect(await caught(validator.validate(trader))).toMatchObject({ venue: 'kraken', kind, code });
  });

  it('should throw auth when the secret is wrong', async () => {
    expect(await caught(validator.validate({ ...trader, secret: Buffer.alloc(64, 9).toString('base64') }))).toMatchObject({ kind: 'auth', code: 'EAPI:Invalid signature' });
  });

  it('should refuse before sending when the secret is not base64', async () => {
    expect(await caught(validator.validate({ keyId: trader.keyId, secret: 'not base64!' }))).toMatchObject({ kind: 'invalid-request' });
    expect(sim().state.recentRequests()).toHaveLength(0);
  });

  it('should be found by name in the validator registry', () => {
    const registry = validatorRegistry({ clock });
    expect(registry.has('kraken')).toBe(true);
    expect(registry.get('kraken', sim().url)).toBe(registry.get('kraken', sim().url));
    expect(() => registry.get('nowhere', undefined)).toThrow(/no validator named "nowhere"/);
  });
});
