import { describe, expect, it } from 'vitest';
import { createNonceSource, krakenSignature, verifyKrakenSignature } from '../../../../src/exchanges/kraken/signing.ts';
import type { Clock } from '../../../../src/runtime/clock.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { referenceSign } from './support.ts';

// Kraken "Spot REST Authentication" (docs.kraken.com/api/docs/guides/spot-rest-auth), "Examples":
// a limit order to buy 1.25 XBTUSD at $37,500, signed with this private key and nonce.
const DOCS = {
  secret: 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==',
  nonce: '1616492376594',
  postData: 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25',
  uriPath: '/0/private/AddOrder',
  apiSign: '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==',
};

describe('krakenSignature', () => {
  it('should reproduce the API-Sign of Kraken\'s documented example when given its key, nonce and payload', () => {
    expect(krakenSignature(DOCS)).toBe(DOCS.apiSign);
    expect(referenceSign(DOCS.secret, DOCS.uriPath, DOCS.nonce, DOCS.postData)).toBe(DOCS.apiSign);
  });

  it.each([
    { name: 'should accept the documented signature when nothing changed', change: {}, ok: true },
    { name: 'should refuse it when one byte of the payload changed', change: { postData: `${DOCS.postData.slice(0, -1)}6` }, ok: false },
    { name: 'should refuse it when the path changed', change: { uriPath: '/0/private/CancelOrder' }, ok: false },
    { name: 'should refuse it when the nonce changed', change: { nonce: '1616492376595' }, ok: false },
  ])('$name', ({ change, ok }) => {
    expect(verifyKrakenSignature({ ...DOCS, ...change }, DOCS.apiSign)).toBe(ok);
  });
});

describe('createNonceSource', () => {
  it('should hand out millisecond nonces that strictly increase per key when the clock stalls or steps back', () => {
    // A clock that can step back, which FakeClock (monotonic) cannot.
    let nowMs = Date.parse('2026-01-05T12:00:00Z');
    const base = new FakeClock();
    const clock: Clock = { now: () => new Date(nowMs), nowMs: () => nowMs, sleep: (ms) => base.sleep(ms), setTimer: (ms, fn) => base.setTimer(ms, fn) };
    const nonces = createNonceSource(clock);
    const first = nonces.next('a');
    expect(first).toBe(String(nowMs));
    expect(nonces.next('a')).toBe(String(nowMs + 1));
    nowMs -= 3_600_000;
    expect(BigInt(nonces.next('a'))).toBe(BigInt(first) + 2n);
    // Another key has its own sequence.
    expect(nonces.next('b')).toBe(String(nowMs));
  });
});
