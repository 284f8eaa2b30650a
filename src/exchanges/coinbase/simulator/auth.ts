// Verifies a CDP Bearer JWT the way Coinbase's gateway does, answering every refusal with the
// same bare 401 Coinbase sends (the reason is kept for the request log only). Checks: a Bearer
// token of three base64url parts; header alg ES256 or EdDSA with a kid and a nonce; the key
// named by kid live, of that algorithm, and sub == kid; the signature (ES256 as raw r||s);
// iss "cdp" (or the legacy "coinbase-cloud" older SDKs and ccxt's ES256 path still send);
// nbf ≤ now < exp with exp − nbf ≤ 120 s; and `uri` (or an entry of `uris`, as the CDP SDKs
// send) equal to "<METHOD> <host><path>" for the host the caller addressed or the venue's
// public host. Coinbase does not document the order; this is the simulator's.

import { verify } from 'node:crypto';
import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { isRecord } from '../../json.ts';
import { MAX_JWT_LIFETIME_S, uriClaim } from '../jwt.ts';
import type { SimKey } from './state.ts';

/** Issuers Coinbase accepts. */
export const ACCEPTED_ISSUERS: readonly string[] = ['cdp', 'coinbase-cloud'];

/** The parts of a request authentication looks at, the venue time and the venue's public host. */
export type AuthRequest = Pick<SimRequest, 'method' | 'path' | 'headers'> & { nowMs: number; publicHost: string };

/** The authenticated key, or why the token was refused. */
export type AuthOutcome = { ok: true; key: SimKey } | { ok: false; reason: string };

interface Token {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Runs Coinbase's checks; `lookup` finds a live key by name. */
export function authenticate(req: AuthRequest, lookup: (name: string) => SimKey | undefined): AuthOutcome {
  const token = parseBearer(req.headers.authorization ?? '');
  if (!token) return refuse('no Bearer JWT');
  const { header, claims } = token;
  const headerProblem = checkHeader(header, claims);
  if (headerProblem !== undefined) return refuse(headerProblem);
  const key = lookup(String(header.kid));
  if (!key) return refuse('unknown or deleted key');
  if (key.alg !== header.alg) return refuse(`key signs with ${key.alg}, token says ${String(header.alg)}`);
  if (!signatureValid(key, token)) return refuse('bad signature');
  const claimProblem = checkClaims(claims, req);
  return claimProblem === undefined ? { ok: true, key } : refuse(claimProblem);
}

function checkHeader(header: Record<string, unknown>, claims: Record<string, unknown>): string | undefined {
  if (header.alg !== 'ES256' && header.alg !== 'EdDSA') return `alg ${String(header.alg)} is not ES256 or EdDSA`;
  if (typeof header.kid !== 'string' || typeof header.nonce !== 'string' || header.nonce === '') return 'header lacks kid or nonce';
  return claims.sub === header.kid ? undefined : 'sub differs from kid';
}

function checkClaims(claims: Record<string, unknown>, req: AuthRequest): string | undefined {
  if (typeof claims.iss !== 'string' || !ACCEPTED_ISSUERS.includes(claims.iss)) return `iss ${String(claims.iss)} is not accepted`;
  const { nbf, exp } = claims;
  if (typeof nbf !== 'number' || typeof exp !== 'number') return 'nbf/exp missing';
  const now = req.nowMs / 1000;
  if (exp - nbf > MAX_JWT_LIFETIME_S) return `lifetime ${exp - nbf} s exceeds ${MAX_JWT_LIFETIME_S} s`;
  if (now < nbf) return 'not yet valid (nbf)';
  if (now >= exp) return 'expired (exp)';
  const hosts = [req.headers.host ?? '', req.publicHost].filter((h) => h !== '');
  const expected = hosts.map((host) => uriClaim(req.method, host, req.path));
  const given = Array.isArray(claims.uris) ? claims.uris : [claims.uri];
  return given.some((uri) => typeof uri === 'string' && expected.includes(uri)) ? undefined : `uri does not match ${expected[0] ?? ''}`;
}

function parseBearer(authorization: string): Token | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization.trim());
  if (!match) return undefined;
  const [, head = '', body = '', sig = ''] = match;
  const header = decodeJson(head);
  const claims = decodeJson(body);
  return header && claims ? { header, claims, signingInput: `${head}.${body}`, signature: Buffer.from(sig, 'base64url') } : undefined;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function signatureValid(key: SimKey, token: Token): boolean {
  const data = Buffer.from(token.signingInput);
  if (key.alg === 'EdDSA') return verify(null, data, key.publicKey, token.signature);
  // JWS ES256 is exactly 64 bytes; DER-encoded signatures are refused as Coinbase refuses them.
  return token.signature.length === 64 && verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, token.signature);
}

function refuse(reason: string): AuthOutcome {
  return { ok: false, reason };
}
