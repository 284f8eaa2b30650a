// Asymmetric API keys (spec.keyType ed25519 or rsa): the pair is generated inside the operator and
// only the public key is sent to the venue; the private key goes into the key's Secret and nowhere
// else. PEM encodings are what venues ask for (SPKI public key) and what signing code loads (PKCS#8).
import { generateKeyPair } from 'node:crypto';

/** Key types that sign with a private key. */
export type AsymmetricKeyType = 'ed25519' | 'rsa';

/** A freshly generated pair, both halves PEM. The private half is secret material. */
export interface ApiKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** RSA modulus size: venues that take RSA keys (Binance, Bybit) accept 2048 bits and up. */
export const RSA_BITS = 2048;

/** Generates a key pair for an asymmetric API key. */
export function generateApiKeyPair(type: AsymmetricKeyType): Promise<ApiKeyPair> {
  const encoding = { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKeyPem: string, privateKeyPem: string): void => {
      if (err) reject(err);
      else resolve({ publicKeyPem, privateKeyPem });
    };
    // Off the event loop: an RSA pair takes tens of milliseconds.
    if (type === 'ed25519') generateKeyPair('ed25519', encoding, done);
    else generateKeyPair('rsa', { modulusLength: RSA_BITS, ...encoding }, done);
  });
}
