// Random identifiers for simulated keys and secrets. Venues issue alphanumeric tokens of a fixed
// length; rejection sampling keeps every character equally likely.

import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` characters from `alphabet` (A-Z, a-z, 0-9 by default; at most 256 symbols). */
export function randomToken(length: number, alphabet: string = ALPHANUMERIC): string {
  // The largest multiple of the alphabet size that fits a byte: bytes above it are redrawn.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length] ?? '';
    }
  }
  return out;
}
