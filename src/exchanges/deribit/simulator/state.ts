// The simulated Deribit user: a main account with its managing key, sub-accounts, the API keys of
// each (with the fields list_api_keys reports), OAuth tokens issued by public/auth, and the nonces
// already used. Plain data plus small functions; the HTTP layer decides who may call what.

import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SIGNATURE_VALIDITY_MS } from '../errors.ts';

/** One API key as the simulator stores it (the secret never leaves through views). */
export interface SimKey {
  id: number;
  clientId: string;
  /** HMAC client secret; absent for asymmetric keys. */
  secret?: string;
  /** Asymmetric keys: the registered public key and its MD5 fingerprint (reported as client_secret). */
  publicKeyPem?: string;
  publicKey?: KeyObject;
  fingerprint?: string;
  /** The (sub-)account the key belongs to. */
  accountId: number;
  maxScope: string;
  name: string;
  enabled: boolean;
  ipWhitelist: string[];
  enabledFeatures: string[];
  createdAtMs: number;
  deleted: boolean;
}

/** An access token (and its refresh token) from public/auth or public/exchange_token. */
export interface SimToken {
  accessToken: string;
  refreshToken: string;
  clientId: string;
  /** The account the token acts for (exchange_token switches it). */
  accountId: number;
  scope: string;
  expiresAtMs: number;
}

/** How the user starts (and what reset() returns to). */
export interface AccountInit {
  masterKey: string;
  masterSecret: string;
  /** Main account id; defaults to 100. */
  mainAccountId?: number;
  /** When given, only these sub-accounts exist; otherwise any other numeric id is provisioned on use. */
  subAccountIds?: readonly number[];
  /** The account requires security-key (TFA) confirmation for API key management. */
  tfa?: boolean;
}

/** The mutable user. */
export interface Account {
  readonly mainId: number;
  readonly subIds: ReadonlySet<number> | undefined;
  tfa: boolean;
  keys: SimKey[];
  tokens: Map<string, SimToken>;
  /** "clientId nonce" → when it was used (kept for the signature validity window). */
  nonces: Map<string, number>;
  nextId: number;
}

/** The managing key's scope: everything, which lets it grant any scope. */
export const MASTER_SCOPE = 'account:read_write trade:read_write wallet:read_write block_trade:read_write block_rfq:read_write';

/** Token lifetime (Deribit tokens last 15 minutes). */
export const TOKEN_LIFETIME_S = 900;

/** Creates the user with its managing key on the main account. */
export function createAccount(init: AccountInit, nowMs: number): Account {
  const mainId = init.mainAccountId ?? 100;
  const master: SimKey = {
    id: 1, clientId: init.masterKey, secret: init.masterSecret, accountId: mainId, maxScope: MASTER_SCOPE,
    name: 'master', enabled: true, ipWhitelist: [], enabledFeatures: [], createdAtMs: nowMs, deleted: false,
  };
  return {
    mainId,
    subIds: init.subAccountIds ? new Set(init.subAccountIds) : undefined,
    tfa: init.tfa ?? false,
    keys: [master],
    tokens: new Map(),
    nonces: new Map(),
    nextId: 2,
  };
}

/** True when `id` is this user's main account or one of its sub-accounts. */
export function isAccountOf(account: Account, id: number): boolean {
  if (id === account.mainId) return true;
  if (!Number.isSafeInteger(id) || id <= 0) return false;
  return account.subIds ? account.subIds.has(id) : true;
}

/** A live key by client id. */
export function findKey(account: Account, clientId: string): SimKey | undefined {
  return account.keys.find((k) => k.clientId === clientId && !k.deleted);
}

/** Live keys of one (sub-)account, oldest first. */
export function keysOf(account: Account, accountId: number): SimKey[] {
  return account.keys.filter((k) => !k.deleted && k.accountId === accountId);
}

/** What a new key is created with. */
export type NewKey = Pick<SimKey, 'accountId' | 'maxScope' | 'name' | 'enabledFeatures'> &
  Partial<Pick<SimKey, 'publicKeyPem' | 'publicKey' | 'fingerprint'>>;

/** Adds a key: 8-char client id, and a 43-char base64url secret unless it is asymmetric (Deribit's formats). */
export function addKey(account: Account, input: NewKey, nowMs: number): SimKey {
  const asymmetric = input.publicKey !== undefined;
  const key: SimKey = {
    ...input,
    id: account.nextId++,
    clientId: randomBytes(6).toString('base64url'),
    ...(asymmetric ? {} : { secret: randomBytes(32).toString('base64url') }),
    enabled: true,
    ipWhitelist: [],
    createdAtMs: nowMs,
    deleted: false,
  };
  account.keys.push(key);
  return key;
}

/** Issues a token pair for a key acting on `accountId`. */
export function issueToken(account: Account, fields: Pick<SimToken, 'clientId' | 'accountId' | 'scope'>, nowMs: number): SimToken {
  const stamp = String(nowMs);
  const token: SimToken = {
    ...fields,
    accessToken: `${stamp}.${randomBytes(24).toString('base64url')}`,
    refreshToken: `${stamp}.${randomBytes(24).toString('base64url')}`,
    expiresAtMs: nowMs + TOKEN_LIFETIME_S * 1000,
  };
  account.tokens.set(token.accessToken, token);
  return token;
}

/** A live token by access token; undefined when unknown, expired, or its key is gone. */
export function findToken(account: Account, accessToken: string, nowMs: number): SimToken | undefined {
  const token = account.tokens.get(accessToken);
  if (!token || token.expiresAtMs <= nowMs || !findKey(account, token.clientId)) return undefined;
  return token;
}

/** The token issued with this refresh token, if its key still exists. */
export function findByRefresh(account: Account, refreshToken: string): SimToken | undefined {
  const token = [...account.tokens.values()].find((t) => t.refreshToken === refreshToken);
  return token && findKey(account, token.clientId) ? token : undefined;
}

/**
 * Records "<clientId> <nonce>"; false when it was already used ("single usage"). Entries older than
 * twice the signature window are forgotten: their timestamps could not pass the window anyway.
 */
export function useNonce(account: Account, id: string, nowMs: number): boolean {
  for (const [k, at] of account.nonces) if (at < nowMs - 2 * SIGNATURE_VALIDITY_MS) account.nonces.delete(k);
  if (account.nonces.has(id)) return false;
  account.nonces.set(id, nowMs);
  return true;
}
