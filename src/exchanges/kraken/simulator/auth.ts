// Authenticates one private call the way Kraken's gateway does, over the raw body bytes:
// API-Key known, live and not past validUntil; `nonce` present (form-encoded or JSON body) and an
// unsigned 64-bit integer; API-Sign = base64 HMAC-SHA512 over uriPath + SHA256(nonce + body);
// the caller's IP in the key's allowlist; the nonce above the key's high-water mark (or inside
// its nonce window and unused). Kraken does not document the order of its checks; the nonce is
// recorded only after the signature is verified, so a forged request cannot burn nonces.
// Pure but for that record: the caller supplies the clock reading and the key lookup.

import { BlockList, isIP } from 'node:net';
import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { isRecord } from '../../json.ts';
import { MAX_NONCE, verifyKrakenSignature } from '../signing.ts';
import { ERROR, fail, type SimFailure } from './envelope.ts';
import { acceptNonce, type SimKey } from './state.ts';

/** The parts of a request authentication looks at, and the venue time. */
export type AuthRequest = Pick<SimRequest, 'path' | 'headers' | 'rawBody' | 'ip'> & { nowMs: number };

/** Either the authenticated key, or Kraken's refusal. */
export type AuthOutcome = { ok: true; key: SimKey; params: Record<string, unknown> } | { ok: false; refusal: SimFailure };

/** Runs Kraken's checks; `lookup` finds a live key by its public id. */
export function authenticate(req: AuthRequest, lookup: (apiKey: string) => SimKey | undefined): AuthOutcome {
  const key = liveKey(req, lookup);
  if (!key) return refuse(ERROR.invalidKey);
  const params = bodyParams(req.headers['content-type'] ?? '', req.rawBody);
  const nonceText = nonceOf(params?.nonce);
  if (params === undefined || nonceText === undefined) return refuse(ERROR.invalidNonce);
  const signed = verifyKrakenSignature(
    { secret: key.secret, uriPath: req.path, nonce: nonceText, postData: req.rawBody },
    req.headers['api-sign'] ?? '',
  );
  if (!signed) return refuse(ERROR.invalidSignature);
  if (!ipAllowed(key.ipAllowlist, req.ip)) return refuse(ERROR.permissionDenied);
  if (!acceptNonce(key, BigInt(nonceText))) return refuse(ERROR.invalidNonce);
  key.lastUsedMs = req.nowMs;
  return { ok: true, key, params };
}

// The key named by API-Key, unless unknown, deleted or past its validUntil.
function liveKey(req: AuthRequest, lookup: (apiKey: string) => SimKey | undefined): SimKey | undefined {
  const apiKey = req.headers['api-key'] ?? '';
  const key = apiKey === '' ? undefined : lookup(apiKey);
  return key && (key.validUntilMs === 0 || req.nowMs < key.validUntilMs) ? key : undefined;
}

/** The body's parameters: JSON when the content type says so, form-encoded otherwise. */
export function bodyParams(contentType: string, rawBody: Buffer): Record<string, unknown> | undefined {
  const text = rawBody.toString('utf8');
  if (contentType.toLowerCase().includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text === '' ? '{}' : text);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

// The nonce as it appears in the body (signatures cover that text), if it is a uint64.
function nonceOf(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,20}$/.test(text)) return undefined;
  return BigInt(text) <= MAX_NONCE ? text : undefined;
}

/** True when the allowlist is empty or holds the caller's address (IPs or CIDRs, v4 or v6). */
export function ipAllowed(allowlist: readonly string[], ip: string): boolean {
  if (allowlist.length === 0) return true;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  for (const entry of allowlist) {
    const [address = '', prefix] = entry.split('/');
    const entryFamily = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) continue;
    if (prefix === undefined) list.addAddress(address, entryFamily);
    else list.addSubnet(address, Number(prefix), entryFamily);
  }
  return list.check(ip, family);
}

function refuse(error: string): AuthOutcome {
  return { ok: false, refusal: fail(error) };
}
