// Binance SIGNED request signing (HMAC, Ed25519 and RSA keys). Pure: the adapter signs with it and
// the simulator verifies with it, over the exact bytes on the wire. Source: Binance Spot API docs,
// "Request security" (developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security):
// the payload is totalParams = queryString + requestBody, joined with no '&', without the
// `signature` parameter itself. HMAC keys sign it as hex HMAC-SHA256 (case-insensitive); RSA keys
// (RSASSA-PKCS1-v1_5, SHA-256) and Ed25519 keys sign it as base64, which is then URL-encoded.

import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { constantTimeEqual, encodeQuery, hmacSha256 } from '../signing.ts';

/** Binance's receive window when `recvWindow` is not sent, in ms. */
export const DEFAULT_RECV_WINDOW_MS = 5000;
/** Header carrying the API key on every signed call. */
export const API_KEY_HEADER = 'X-MBX-APIKEY';
/** Name of the signature parameter (query string or body). */
export const SIGNATURE_PARAM = 'signature';

/** How a key signs: its HMAC secret, or its PEM private key (PKCS#8) for Ed25519/RSA keys. */
export type SigningKey = { kind: 'hmac'; secret: string } | { kind: 'asymmetric'; privateKeyPem: string };

/** How a key is verified: its HMAC secret, or the PEM public key registered for it. */
export type VerifyingKey = { kind: 'hmac'; secret: string } | { kind: 'asymmetric'; publicKeyPem: string };

/** totalParams: the raw query string and raw body concatenated with no separator. */
export function binancePayload(query: string, body: string): string {
  return `${query}${body}`;
}

/**
 * The signature for `payload` as it goes on the wire (already URL-encoded): lower-case hex for
 * HMAC keys, URL-encoded base64 for Ed25519/RSA keys.
 */
export function signBinance(key: SigningKey, payload: string): string {
  if (key.kind === 'hmac') return hmacSha256(key.secret, [payload], 'hex');
  return encodeURIComponent(signAsymmetric(createPrivateKey(key.privateKeyPem), payload));
}

/** True when `signature` (URL-decoded already) signs `payload` for this key. */
export function verifyBinance(key: VerifyingKey, payload: string, signature: string): boolean {
  if (key.kind === 'hmac') {
    // Binance: HMAC signatures are not case-sensitive.
    return constantTimeEqual(hmacSha256(key.secret, [payload], 'hex'), signature.toLowerCase());
  }
  try {
    const publicKey = createPublicKey(key.publicKeyPem);
    const digest = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return verify(digest, Buffer.from(payload, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The key type of a PEM public key Binance accepts at key creation, or undefined. */
export function publicKeyType(pem: string): 'ed25519' | 'rsa' | undefined {
  try {
    const type = createPublicKey(pem).asymmetricKeyType;
    return type === 'ed25519' || type === 'rsa' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** Serialises parameters in insertion order, URI-encoding names and values and skipping undefined. */
export const encodeBinanceParams = encodeQuery;

/** One form-encoded string with its signature parameter taken out, exactly as received otherwise. */
export interface SplitParams {
  /** The string without `signature=...` (and without the '&' that joined it). */
  rest: string;
  /** The signature value URL-decoded; undefined when absent. */
  signature: string | undefined;
}

/** Takes the (last) `signature` parameter out of a raw form-encoded string, keeping every other byte. */
export function splitSignature(raw: string): SplitParams {
  if (raw === '') return { rest: '', signature: undefined };
  const parts = raw.split('&');
  const at = parts.findLastIndex((p) => p.startsWith(`${SIGNATURE_PARAM}=`));
  if (at < 0) return { rest: raw, signature: undefined };
  const value = (parts[at] ?? '').slice(SIGNATURE_PARAM.length + 1);
  parts.splice(at, 1);
  return { rest: parts.join('&'), signature: safeDecode(value) };
}

function signAsymmetric(privateKey: KeyObject, payload: string): string {
  // Ed25519 takes no separate digest; RSA keys sign with PKCS#1 v1.5 over SHA-256.
  const digest = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return sign(digest, Buffer.from(payload, 'utf8'), privateKey).toString('base64');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}
