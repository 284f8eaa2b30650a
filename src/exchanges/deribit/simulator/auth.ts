// Authenticates requests the way Deribit documents, in this order. Private calls carry one of:
// `deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…` (signature over the raw method, URI and body bytes),
// `bearer <access_token>` from public/auth, or `Basic base64(client_id:client_secret)`. public/auth
// grants client_credentials, client_signature (HMAC hex, or the key's Ed25519/RSA signature for
// asymmetric keys, which may use nothing else) and refresh_token. A timestamp is valid for 60 s
// and a nonce once. Pure but for the account it reads and the nonces it records.

import { constantTimeEqual } from '../../signing.ts';
import { SIGNATURE_VALIDITY_MS } from '../errors.ts';
import {
  authStringToSign,
  httpStringToSign,
  parseDeriHmacHeader,
  verifyDeribitAsymmetric,
  verifyDeribitHmac,
} from '../signing.ts';
import { RPC, fail, type RpcResult } from './envelope.ts';
import { findByRefresh, findKey, findToken, useNonce, type Account, type SimKey } from './state.ts';

/** Who is calling: the key, the account it acts for, and the scope it holds. */
export interface Principal {
  key: SimKey;
  accountId: number;
  scope: string;
}

/** The authenticated principal, or Deribit's refusal. */
export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; refusal: RpcResult };

/** The parts of a private request authentication looks at, exactly as received. */
export interface PrivateAuthRequest {
  method: string;
  /** Path plus '?' and the raw query when there is one. */
  uri: string;
  rawBody: Buffer;
  authorization: string;
  ip: string;
  nowMs: number;
}

/** Authenticates a private call. */
export function authenticatePrivate(account: Account, req: PrivateAuthRequest): AuthOutcome {
  const header = req.authorization.trim();
  const scheme = header.slice(0, header.indexOf(' ') < 0 ? header.length : header.indexOf(' ')).toLowerCase();
  if (scheme === 'bearer') return bearer(account, header.slice(scheme.length).trim(), req);
  if (scheme === 'basic') return basic(account, header.slice(scheme.length).trim(), req);
  return signatureCredentials(account, header, req);
}

function signatureCredentials(account: Account, header: string, req: PrivateAuthRequest): AuthOutcome {
  const fields = parseDeriHmacHeader(header);
  if (!fields) return refuse(RPC.unauthorized, 'missing or unsupported authorization');
  if (fields.id === '' || fields.ts === '' || fields.sig === '' || fields.nonce === '') return refuse(RPC.unauthorized, 'incomplete signature credentials');
  const key = findKey(account, fields.id);
  if (!key || !key.enabled) return refuse(RPC.invalidCredentials);
  if (key.secret === undefined) return refuse(RPC.invalidCredentials, 'asymmetric keys authenticate with public/auth client_signature only');
  const timeRefusal = checkTimestamp(fields.ts, req.nowMs);
  if (timeRefusal) return timeRefusal;
  const stringToSign = httpStringToSign({ timestamp: fields.ts, nonce: fields.nonce, method: req.method, uri: req.uri, body: req.rawBody });
  if (!verifyDeribitHmac(key.secret, stringToSign, fields.sig)) return refuse(RPC.unauthorized, 'bad signature');
  if (!useNonce(account, `${key.clientId} ${fields.nonce}`, req.nowMs)) return refuse(RPC.unauthorized, 'nonce already used');
  return admitted(key, key.accountId, key.maxScope, req.ip);
}

/** public/auth parameters as received (strings from a query, or JSON values from a body). */
export type AuthParams = Readonly<Record<string, unknown>>;

/** Verifies a public/auth grant; the key (and, for refresh_token, the token's account and scope). */
export function authenticateGrant(account: Account, params: AuthParams, ip: string, nowMs: number): AuthOutcome {
  const grant = str(params.grant_type);
  if (grant === 'refresh_token') {
    const token = findByRefresh(account, str(params.refresh_token));
    if (!token) return refuse(RPC.unauthorized, 'invalid refresh token');
    const key = findKey(account, token.clientId);
    return key ? admitted(key, token.accountId, token.scope, ip) : refuse(RPC.invalidCredentials);
  }
  if (grant !== 'client_credentials' && grant !== 'client_signature') {
    return refuse(RPC.invalidParams, 'grant_type must be client_credentials, client_signature or refresh_token', 'grant_type');
  }
  const key = findKey(account, str(params.client_id));
  if (!key || !key.enabled) return refuse(RPC.invalidCredentials);
  const refusal = grant === 'client_credentials' ? checkSecret(key, str(params.client_secret)) : checkClientSignature(account, key, params, nowMs);
  return refusal ?? admitted(key, key.accountId, key.maxScope, ip);
}

function checkSecret(key: SimKey, secret: string): AuthOutcome | undefined {
  // "Standard client credentials authentication is not supported" for asymmetric keys.
  if (key.secret === undefined || !constantTimeEqual(key.secret, secret)) return refuse(RPC.invalidCredentials);
  return undefined;
}

function checkClientSignature(account: Account, key: SimKey, params: AuthParams, nowMs: number): AuthOutcome | undefined {
  const timestamp = typeof params.timestamp === 'number' ? String(params.timestamp) : str(params.timestamp);
  const nonce = str(params.nonce);
  const signature = str(params.signature);
  if (timestamp === '' || signature === '') return refuse(RPC.invalidParams, 'timestamp and signature are required', timestamp === '' ? 'timestamp' : 'signature');
  const timeRefusal = checkTimestamp(timestamp, nowMs);
  if (timeRefusal) return timeRefusal;
  const stringToSign = authStringToSign(timestamp, nonce, str(params.data));
  const valid = key.publicKey
    ? verifyDeribitAsymmetric(key.publicKey, stringToSign, signature)
    : key.secret !== undefined && verifyDeribitHmac(key.secret, stringToSign, signature);
  if (!valid) return refuse(RPC.unauthorized, 'bad signature');
  if (nonce !== '' && !useNonce(account, `${key.clientId} ${nonce}`, nowMs)) return refuse(RPC.unauthorized, 'nonce already used');
  return undefined;
}

/**
 * Deribit: a timestamp "is valid for 60 seconds since generation". It documents no tolerance for
 * timestamps ahead of its clock; the simulator allows the same 60 s either way.
 */
export function checkTimestamp(timestamp: string, nowMs: number): AuthOutcome | undefined {
  if (!/^\d{1,16}$/.test(timestamp)) return refuse(RPC.unauthorized, 'invalid timestamp');
  if (Math.abs(nowMs - Number(timestamp)) > SIGNATURE_VALIDITY_MS) return refuse(RPC.unauthorized, 'timestamp outside the 60 s validity window');
  return undefined;
}

function bearer(account: Account, accessToken: string, req: PrivateAuthRequest): AuthOutcome {
  const token = findToken(account, accessToken, req.nowMs);
  if (!token) return refuse(RPC.unauthorized, 'invalid or expired token');
  const key = findKey(account, token.clientId);
  return key ? admitted(key, token.accountId, token.scope, req.ip) : refuse(RPC.unauthorized);
}

function basic(account: Account, encoded: string, req: PrivateAuthRequest): AuthOutcome {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = colon < 0 ? undefined : findKey(account, decoded.slice(0, colon));
  if (!key || !key.enabled) return refuse(RPC.invalidCredentials);
  return checkSecret(key, decoded.slice(colon + 1)) ?? admitted(key, key.accountId, key.maxScope, req.ip);
}

// Deribit does not document the answer for a caller outside a key's whitelist; 13021 forbidden.
function admitted(key: SimKey, accountId: number, scope: string, ip: string): AuthOutcome {
  if (key.ipWhitelist.length > 0 && !key.ipWhitelist.includes(ip)) return refuse(RPC.forbidden, `ip ${ip} is not whitelisted for this key`);
  return { ok: true, principal: { key, accountId, scope } };
}

function refuse(error: { code: number; message: string }, reason?: string, param?: string): AuthOutcome {
  return { ok: false, refusal: fail(error, reason, param) };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
