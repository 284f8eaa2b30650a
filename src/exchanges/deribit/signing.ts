// Deribit request signing, used by the adapter to sign and by the simulator to verify, over the
// exact bytes on the wire. Source: Deribit API v2.1.1 "Deribit signature credentials" and
// "signature credentials (WebSocket API)" (rosssaunders/coincise docs/deribit/response_formats.md):
//   RequestData  = UPPERCASE(HTTP_METHOD) + "\n" + URI + "\n" + RequestBody + "\n"
//   StringToSign = Timestamp + "\n" + Nonce + "\n" + RequestData         (HTTP header)
//   StringToSign = Timestamp + "\n" + Nonce + "\n" + Data                (public/auth client_signature)
//   Signature    = HEX( HMAC-SHA256( ClientSecret, StringToSign ) )
//   Authorization: deri-hmac-sha256 id=ClientId,ts=Timestamp,sig=Signature,nonce=Nonce
// Asymmetric keys ("Asymmetric API keys" article) authenticate only with client_signature; the
// signature is the private key's signature over the same StringToSign (Ed25519, or RSA
// PKCS#1 v1.5 with SHA-256), base64url-encoded without padding as Deribit's Python sample does.

import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { constantTimeEqual, hmacSha256 } from '../signing.ts';

/** The header scheme of Deribit signature credentials. */
export const DERI_HMAC_SCHEME = 'deri-hmac-sha256';

/** The fields of one signed HTTP request, exactly as sent. */
export interface HttpSignInput {
  timestamp: string;
  nonce: string;
  method: string;
  /** Path and query as sent ("/api/v2/private/get_account_summary?currency=BTC"). */
  uri: string;
  /** Raw body; '' when there is none. */
  body: string | Uint8Array;
}

/** StringToSign for an HTTP request (body decoded as UTF-8). */
export function httpStringToSign(input: HttpSignInput): string {
  const body = typeof input.body === 'string' ? input.body : Buffer.from(input.body).toString('utf8');
  return `${input.timestamp}\n${input.nonce}\n${input.method.toUpperCase()}\n${input.uri}\n${body}\n`;
}

/** StringToSign for public/auth with grant_type client_signature. */
export function authStringToSign(timestamp: string, nonce: string, data: string): string {
  return `${timestamp}\n${nonce}\n${data}`;
}

/** Hex HMAC-SHA256 of a StringToSign with the client secret. */
export function signDeribitHmac(secret: string, stringToSign: string): string {
  return hmacSha256(secret, [stringToSign], 'hex');
}

/** True when `signature` is the HMAC of `stringToSign`; compared in constant time. */
export function verifyDeribitHmac(secret: string, stringToSign: string, signature: string): boolean {
  return constantTimeEqual(signDeribitHmac(secret, stringToSign), signature.toLowerCase());
}

/** The Authorization header value for signature credentials. */
export function deriHmacHeader(fields: { clientId: string; timestamp: string; signature: string; nonce: string }): string {
  return `${DERI_HMAC_SCHEME} id=${fields.clientId},ts=${fields.timestamp},sig=${fields.signature},nonce=${fields.nonce}`;
}

/** The fields of a deri-hmac-sha256 header (any order); undefined when it is not one. */
export function parseDeriHmacHeader(value: string): { id: string; ts: string; sig: string; nonce: string } | undefined {
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space).toLowerCase() !== DERI_HMAC_SCHEME) return undefined;
  const fields: Record<string, string> = {};
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { id: fields.id ?? '', ts: fields.ts ?? '', sig: fields.sig ?? '', nonce: fields.nonce ?? '' };
}

/** Signs a StringToSign with an asymmetric private key (PEM PKCS#8): base64url, no padding. */
export function signDeribitAsymmetric(privateKeyPem: string, stringToSign: string): string {
  const key = { key: privateKeyPem, format: 'pem' } as const;
  const data = Buffer.from(stringToSign, 'utf8');
  // Ed25519 takes no digest; RSA keys sign SHA-256 with PKCS#1 v1.5 (Node's default padding).
  const algorithm = isEd25519Private(privateKeyPem) ? null : 'sha256';
  return sign(algorithm, data, key).toString('base64url');
}

/** True when `signature` (base64url, padding optional) is the public key's signature of `stringToSign`. */
export function verifyDeribitAsymmetric(publicKey: KeyObject, stringToSign: string, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(signature)) return false;
  const algorithm = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return verify(algorithm, Buffer.from(stringToSign, 'utf8'), publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * The client_secret Deribit reports for an asymmetric key: "MD5 fingerprint of public key".
 * Deribit does not say over which encoding; exkey (and its simulator) use the DER SPKI bytes, hex.
 */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash('md5').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Parses a PEM public key; undefined when it is not one. */
export function readPublicKey(pem: string): KeyObject | undefined {
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
}

function isEd25519Private(pem: string): boolean {
  // The KeyObject knows its type; parsing once per signature is cheap next to the network call.
  return createPublicKey({ key: pem, format: 'pem' }).asymmetricKeyType === 'ed25519';
}
