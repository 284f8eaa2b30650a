// The passphrase of an OKX key is chosen by the caller, not the venue: exkey generates one per key
// version. OKX's rule ("Sub-account → Create an API Key for a sub-account"): 8 to 32 characters
// with at least one number, one uppercase letter, one lowercase letter and one special character.
// OKX does not list its special characters; exkey uses the ones OKX's own password rule gives as
// examples ("! @ # $ %", "Create sub-account" pwd), which survive headers, YAML and shells alike.

import { randomInt } from 'node:crypto';

/** Length exkey generates: OKX's maximum, for the most entropy (about 190 bits). */
export const PASSPHRASE_LENGTH = 32;

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const SPECIAL = '!@#$%';
const ALL = UPPER + LOWER + DIGITS + SPECIAL;

/** Uniform integer in [0, max); crypto.randomInt by default, a seeded one in tests. */
export type RandomInt = (max: number) => number;

/** A fresh passphrase meeting OKX's rule: one character of each class, the rest from all, shuffled. */
export function generateOkxPassphrase(random: RandomInt = randomInt): string {
  const pick = (alphabet: string): string => alphabet.charAt(random(alphabet.length));
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SPECIAL)];
  while (chars.length < PASSPHRASE_LENGTH) chars.push(pick(ALL));
  // Fisher-Yates, so the guaranteed characters do not sit at known positions.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
  }
  return chars.join('');
}

/** True when OKX would accept `passphrase` (any printable non-alphanumeric ASCII counts as special). */
export function isValidOkxPassphrase(passphrase: string): boolean {
  return /^[\x21-\x7e]{8,32}$/.test(passphrase)
    && /[0-9]/.test(passphrase)
    && /[A-Z]/.test(passphrase)
    && /[a-z]/.test(passphrase)
    && /[^A-Za-z0-9]/.test(passphrase);
}
