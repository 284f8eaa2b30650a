// Kraken spot REST signing, shared by the validator and the simulator. Source: Kraken "Spot REST
// Authentication" (docs.kraken.com/api/docs/guides/spot-rest-auth):
//   API-Sign = base64(HMAC-SHA512(base64-decode(secret), uriPath + SHA256(nonce + POST data)))
// where uriPath starts with "/0/private" and POST data is the exact body sent (form-encoded or
// JSON), which itself carries `nonce`, "an always increasing, unsigned 64-bit integer".

import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../../runtime/clock.ts';
import { constantTimeEqual } from '../signing.ts';

/** What one signature covers. */
export interface KrakenSignInput {
  /** The base64 secret as Kraken shows it ("private key"). */
  secret: string;
  /** The URL path from "/0/private", e.g. "/0/private/GetApiKeyInfo". */
  uriPath: string;
  /** The nonce exactly as it appears in the body. */
  nonce: string;
  /** The body bytes exactly as sent. */
  postData: string | Uint8Array;
}

/** The API-Sign header value. */
export function krakenSignature(input: KrakenSignInput): string {
  const inner = createHash('sha256').update(input.nonce).update(input.postData).digest();
  return createHmac('sha512', Buffer.from(input.secret, 'base64'))
    .update(input.uriPath)
    .update(inner)
    .digest('base64');
}

/** True when `given` is the API-Sign of `input`, compared in constant time. */
export function verifyKrakenSignature(input: KrakenSignInput, given: string): boolean {
  return constantTimeEqual(krakenSignature(input), given);
}

/** Largest nonce Kraken accepts: an unsigned 64-bit integer. */
export const MAX_NONCE = (1n << 64n) - 1n;

/** Hands out nonces per API key. */
export interface NonceSource {
  /** The next nonce for `keyId`: strictly above the last one handed out for that key. */
  next(keyId: string): string;
}

/**
 * Millisecond nonces from the injected clock, strictly increasing per key even when the clock
 * stalls or steps back. Milliseconds, not micro- or nanoseconds, on purpose: the key exkey
 * validates is the one its workloads use, and Kraken keeps one nonce high-water mark per key, so
 * a validator nonce far above the workloads' own (ccxt and Kraken's examples use milliseconds)
 * would make every later call of theirs fail with EAPI:Invalid nonce.
 */
export function createNonceSource(clock: Clock): NonceSource {
  const last = new Map<string, bigint>();
  return {
    next: (keyId) => {
      const now = BigInt(Math.floor(clock.nowMs()));
      const previous = last.get(keyId);
      const nonce = previous !== undefined && previous >= now ? previous + 1n : now;
      last.set(keyId, nonce);
      return nonce.toString();
    },
  };
}
