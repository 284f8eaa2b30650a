// The simulated Binance account: one master account with its master key(s), sub-accounts known by
// email, and the API keys created for them. Plain data plus small functions; the HTTP layer
// decides who may call what.

import { randomToken } from '../../simulator-kit/tokens.ts';

/** Unrestricted keys lose spot & margin trading 30 days after creation (announcement of 2021-07-08). */
export const UNRESTRICTED_TRADING_LIFETIME_MS = 30 * 24 * 3600_000;

/** The permission switches Binance keeps per key, by their create-call names. */
export interface KeyFlags {
  canTrade: boolean;
  canMarginLoanRepay: boolean;
  canFuturesTrade: boolean;
  canUniversalTransfer: boolean;
  canVanillaOptions: boolean;
  canFixApiTrading: boolean;
  canFixApiReading: boolean;
  /** Never set by the create call; only the web UI (or the admin API) turns it on. */
  enableWithdrawals: boolean;
  /** Never set by the create call. */
  enableInternalTransfer: boolean;
}

/** The names of KeyFlags, for readers and views. */
export const FLAG_NAMES: ReadonlyArray<keyof KeyFlags> = [
  'canTrade', 'canMarginLoanRepay', 'canFuturesTrade', 'canUniversalTransfer', 'canVanillaOptions',
  'canFixApiTrading', 'canFixApiReading', 'enableWithdrawals', 'enableInternalTransfer',
];

/** One API key as the simulator stores it (secrets never leave through views). */
export interface SimKey {
  apiKey: string;
  /** HMAC secret; undefined for keys registered with a public key. */
  secret: string | undefined;
  /** PEM public key for Ed25519/RSA keys (the simulator never sees their private key). */
  publicKeyPem: string | undefined;
  keyType: 'hmac' | 'ed25519' | 'rsa';
  /** The sub-account's email; undefined for master keys. */
  email: string | undefined;
  /** The UID the key acts for (rate limits are per UID). */
  uid: string;
  isMaster: boolean;
  apiName: string;
  flags: KeyFlags;
  /** status 2 (or 3): only these IPs may use the key. */
  ipRestrict: boolean;
  ips: string[];
  createdAtMs: number;
  updatedAtMs: number;
  deleted: boolean;
}

/** A key's state for the admin API and tests: everything but the secret. */
export interface SimKeyView {
  apiKey: string;
  keyType: SimKey['keyType'];
  email: string | null;
  uid: string;
  isMaster: boolean;
  apiName: string;
  flags: KeyFlags;
  ipRestrict: boolean;
  ips: string[];
  hasSecret: boolean;
  publicKey: string | null;
  createdAt: string;
  deleted: boolean;
}

/** Changes the admin API may make to a key behind exkey's back (drift tests). */
export type KeyPatch = Partial<KeyFlags> & { ips?: string[]; apiName?: string };

/** What a new sub-account key is created with. */
export interface NewSubKey {
  email: string;
  apiName: string;
  flags: KeyFlags;
  ipRestrict: boolean;
  ips: string[];
  publicKeyPem: string | undefined;
  keyType: SimKey['keyType'];
}

/** How the account starts (and what reset() returns to). */
export interface AccountInit {
  masterKey: string;
  masterSecret: string;
  masterUid: string;
  /** When given, only these sub-account emails exist; otherwise any email is provisioned on use. */
  subAccounts?: readonly string[];
}

/** The mutable account. */
export interface Account {
  readonly masterUid: string;
  keys: SimKey[];
  /** Sub-account email → uid, filled as sub-accounts are used. */
  subUids: Map<string, string>;
  readonly allowedSubAccounts: ReadonlySet<string> | undefined;
  nextUid: number;
}

/** No permission at all (what an unset create flag means: "default false"). */
export function noFlags(): KeyFlags {
  return Object.fromEntries(FLAG_NAMES.map((name) => [name, false])) as unknown as KeyFlags;
}

// Master keys trade (the IP-restriction endpoint needs spot trading on the caller) and are never IP-bound.
function masterKey(apiKey: string, secret: string, uid: string, nowMs: number): SimKey {
  return {
    apiKey, secret, publicKeyPem: undefined, keyType: 'hmac', email: undefined, uid, isMaster: true, apiName: 'master',
    flags: { ...noFlags(), canTrade: true, canUniversalTransfer: true, enableInternalTransfer: true },
    ipRestrict: false, ips: [], createdAtMs: nowMs, updatedAtMs: nowMs, deleted: false,
  };
}

/** Creates the account with its master key. */
export function createAccount(init: AccountInit, nowMs: number): Account {
  return {
    masterUid: init.masterUid,
    keys: [masterKey(init.masterKey, init.masterSecret, init.masterUid, nowMs)],
    subUids: new Map(),
    allowedSubAccounts: init.subAccounts ? new Set(init.subAccounts.map((e) => e.toLowerCase())) : undefined,
    nextUid: Number(init.masterUid) + 1,
  };
}

/** Adds another master key to the account (e.g. to rotate the managing key). */
export function addMasterKey(account: Account, apiKey: string, secret: string, nowMs: number): SimKey {
  const key = masterKey(apiKey, secret, account.masterUid, nowMs);
  account.keys.push(key);
  return key;
}

/** A live (not deleted) key by its public id. */
export function findKey(account: Account, apiKey: string): SimKey | undefined {
  return account.keys.find((k) => k.apiKey === apiKey && !k.deleted);
}

/** The uid of a sub-account, provisioning it when no list was configured; undefined if not ours. */
export function subAccountUid(account: Account, email: string): string | undefined {
  const normalised = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(normalised)) return undefined;
  if (account.allowedSubAccounts && !account.allowedSubAccounts.has(normalised)) return undefined;
  let uid = account.subUids.get(normalised);
  if (uid === undefined) {
    uid = String(account.nextUid++);
    account.subUids.set(normalised, uid);
  }
  return uid;
}

/** Adds a sub-account key with a fresh 64-char key (and 64-char secret for HMAC keys). */
export function addSubKey(account: Account, uid: string, input: NewSubKey, nowMs: number): SimKey {
  const key: SimKey = {
    apiKey: randomToken(64),
    secret: input.keyType === 'hmac' ? randomToken(64) : undefined,
    publicKeyPem: input.publicKeyPem,
    keyType: input.keyType,
    email: input.email.trim().toLowerCase(),
    uid,
    isMaster: false,
    apiName: input.apiName,
    flags: { ...input.flags },
    ipRestrict: input.ipRestrict,
    ips: [...input.ips],
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    deleted: false,
  };
  account.keys.push(key);
  return key;
}

/** Live keys of one sub-account, oldest first. */
export function subKeysOf(account: Account, email: string): SimKey[] {
  const normalised = email.trim().toLowerCase();
  return account.keys.filter((k) => !k.isMaster && !k.deleted && k.email === normalised);
}

/** When spot & margin trading lapses for this key; undefined when it never does. */
export function tradingExpiresAtMs(key: SimKey): number | undefined {
  if (key.isMaster || key.ipRestrict || !key.flags.canTrade) return undefined;
  return key.createdAtMs + UNRESTRICTED_TRADING_LIFETIME_MS;
}

/** Applies an admin patch to a live key; undefined when there is none. */
export function patchKey(account: Account, apiKey: string, patch: KeyPatch, nowMs: number): SimKey | undefined {
  const key = findKey(account, apiKey);
  if (!key) return undefined;
  for (const name of FLAG_NAMES) {
    const value = patch[name];
    if (value !== undefined) key.flags[name] = value;
  }
  if (patch.apiName !== undefined) key.apiName = patch.apiName;
  if (patch.ips !== undefined) {
    key.ips = [...patch.ips];
    key.ipRestrict = key.ips.length > 0;
  }
  key.updatedAtMs = nowMs;
  return key;
}

/** The key's state without its secret. */
export function viewKey(key: SimKey): SimKeyView {
  return {
    apiKey: key.apiKey,
    keyType: key.keyType,
    email: key.email ?? null,
    uid: key.uid,
    isMaster: key.isMaster,
    apiName: key.apiName,
    flags: { ...key.flags },
    ipRestrict: key.ipRestrict,
    ips: [...key.ips],
    hasSecret: key.secret !== undefined,
    publicKey: key.publicKeyPem ?? null,
    createdAt: new Date(key.createdAtMs).toISOString(),
    deleted: key.deleted,
  };
}
