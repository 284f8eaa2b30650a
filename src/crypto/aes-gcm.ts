// AES-256-GCM with a 96-bit IV and a 128-bit tag: the one cipher used for data and for local
// key wrapping. Failures are reported as "did not authenticate" and nothing more, on purpose.

import { createCipheriv, createDecipheriv } from 'node:crypto';

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/** Ciphertext and tag of one GCM encryption. */
export interface Sealed {
  readonly ct: Buffer;
  readonly tag: Buffer;
}

/** Encrypts `plaintext` under `key`; the caller guarantees the IV is fresh for this key. */
export function gcmSeal(key: Buffer, iv: Buffer, plaintext: Uint8Array, aad: Buffer): Sealed {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ct, tag: cipher.getAuthTag() };
}

/** Decrypts and authenticates; returns undefined (never partial plaintext) when authentication fails. */
export function gcmOpen(key: Buffer, iv: Buffer, sealed: Sealed, aad: Buffer): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  const head = decipher.update(sealed.ct);
  try {
    const tail = decipher.final();
    if (tail.length === 0) {
      return head;
    }
    const whole = Buffer.concat([head, tail]);
    head.fill(0);
    return whole;
  } catch {
    // The unauthenticated output must not survive: it is plaintext under an attacker's control.
    head.fill(0);
    return undefined;
  }
}
