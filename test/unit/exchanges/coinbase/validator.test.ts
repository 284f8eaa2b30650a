// The Coinbase validator against the simulator: what a CDP key a human created looks like to
// exkey, and how refusals and faults surface as ExchangeError kinds.

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCoinbaseValidator } from '../../../../src/exchanges/coinbase/validator.ts';
import type { Credentials } from '../../../../src/exchanges/types.ts';
import { validatorRegistry } from '../../../../src/exchanges/validators.ts';
import { caught } from '../../../support/exchange-error.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { runningSimulator } from '../../../support/running-simulator.ts';
import { cdpEd25519Secret, cdpPair, startSim, type CdpPair } from './support.ts';

const clock = new FakeClock('2026-01-05T12:00:00Z');
const sim = runningSimulator(() => startSim({ clock }));
let validator: ReturnType<typeof createCoinbaseValidator>;
let pair: CdpPair;
let key: Credentials;

beforeAll(() => {
  validator = createCoinbaseValidator({ endpoint: sim().url, clock, timeoutMs: 300 });
});

beforeEach(() => {
  pair = cdpPair();
  sim().state.addKey({ name: pair.name, publicKeyPem: pair.publicKey, can_view: true, can_trade: true, can_transfer: false });
  key = { keyId: pair.name, privateKey: pair.privateKey };
});

afterEach(() => {
  sim().state.clearFaults();
});

describe('coinbase validator', () => {
  it('should report read + trade and an empty allowlist when the key may view and trade', async () => {
    expect(await validator.validate(key)).toEqual({ keyId: pair.name, permissions: ['read', 'trade'], unmappedPermissions: [], ipAllowlist: [], ipAllowlistUnknown: true, withdrawEnabled: false });
  });

  it('should report transfer as fund-moving when the human ticked Transfer', async () => {
    sim().state.patchKey(pair.name, { can_transfer: true });
    expect(await validator.validate(key)).toMatchObject({ permissions: ['read', 'trade', 'transfer'], withdrawEnabled: true });
  });

  it('should sign with the portal\'s base64 Ed25519 secret when the key is an Ed25519 key', async () => {
    const ed = cdpPair('Ed25519', 'ed');
    sim().state.addKey({ name: ed.name, publicKeyPem: ed.publicKey, can_view: true, can_trade: false, can_transfer: false });
    expect(await validator.validate({ keyId: ed.name, privateKey: cdpEd25519Secret(ed.privateKey) })).toMatchObject({ permissions: ['read'] });
  });

  it.each([
    { name: 'should throw auth when the human deleted the key', setup: () => sim().state.deleteKey(pair.name), kind: 'auth', code: '401' },
    { name: 'should throw rate-limit when Coinbase answers 429', setup: () => sim().state.addFault({ kind: 'coinbaseError', status: 429 }), kind: 'rate-limit', code: '429' },
    { name: 'should throw permission when Coinbase answers 403', setup: () => sim().state.addFault({ kind: 'coinbaseError', status: 403 }), kind: 'permission', code: '403' },
    { name: 'should throw unavailable when Coinbase answers 503', setup: () => sim().state.addFault({ kind: 'status', status: 503 }), kind: 'unavailable', code: '503' },
    { name: 'should throw unavailable when the venue never answers', setup: () => sim().state.addFault({ kind: 'timeout' }), kind: 'unavailable', code: 'timeout' },
  ])('$name', async ({ setup, kind, code }) => {
    setup();
    expect(await caught(validator.validate(key))).toMatchObject({ venue: 'coinbase', kind, code });
  });

  it('should throw auth when the key is signed with the wrong private key', async () => {
    expect(await caught(validator.validate({ keyId: pair.name, privateKey: cdpPair().privateKey }))).toMatchObject({ kind: 'auth', code: '401' });
    expect(sim().state.recentRequests().at(-1)?.reason).toBe('bad signature');
  });

  it('should refuse before sending when the private key is unreadable', async () => {
    const err = await caught(validator.validate({ keyId: pair.name, privateKey: 'garbage!' }));
    expect(err).toMatchObject({ kind: 'invalid-request' });
    expect(err.message).not.toContain('garbage');
    expect(sim().state.recentRequests()).toHaveLength(0);
  });

  it('should be found by name in the validator registry', () => {
    expect(validatorRegistry({ clock }).names()).toEqual(['coinbase', 'kraken']);
  });
});
