// The simulated OKX account: one master uid with its master key(s), named sub-accounts, and the
// API keys created for them. Plain data plus small functions; the HTTP layer decides who may call
// what. Like OKX, the simulator keeps only a salted hash of each passphrase.

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * OKX deletes a key with trade or withdraw permission and no IP binding after 14 days without a
 * signed call ("Authentication → API key security").
 */
export const IDLE_EXPIRY_MS = 14 * 24 * 3600_000;

/** Keys a sub-account may hold (error 59501). */
export const MAX_KEYS_PER_ACCOUNT = 50;

/** One API key as the simulator stores it (secret and passphrase never leave through views). */
export interface SimKey {
  apiKey: string;
  secretKey: string;
  passphraseSalt: string;
  passphraseHash: string;
  /** The uid the key acts for (master uid or a sub-account's uid). */
  uid: string;
  /** Sub-account name; undefined for master keys. */
  subAcct: string | undefined;
  isMaster: boolean;
  /** OKX perm values, e.g. ["read_only", "trade"]. */
  perm: string[];
  /** Bound IPs or segments; empty means unbound. */
  ips: string[];
  label: string;
  createdAtMs: number;
  lastUsedAtMs: number;
  deleted: boolean;
}

/** A key's state for the admin API and tests: everything but secret and passphrase. */
export interface SimKeyView {
  apiKey: string;
  uid: string;
  subAcct: string | null;
  isMaster: boolean;
  perm: string[];
  ips: string[];
  label: string;
  createdAt: string;
  lastUsedAt: string;
  deleted: boolean;
}

/** Changes the admin API may make to a key (drift and expiry tests). */
export interface KeyPatch {
  perm?: string[];
  ips?: string[];
  label?: string;
  /** ISO time of the last signed call (to age a key past the idle expiry). */
  lastUsedAt?: string;
}

/** What a new sub-account key is created with. */
export interface NewSubKey {
  subAcct: string;
  label: string;
  passphrase: string;
  perm: string[];
  ips: string[];
}

/** How the account starts (and what reset() returns to). */
export interface AccountInit {
  masterKey: string;
  masterSecret: string;
  masterPassphrase: string;
  masterUid: string;
  /** IPs the master key is bound to (OKX requires a binding for key management). */
  masterIps: readonly string[];
  /** When given, only these sub-accounts exist; otherwise any valid name is provisioned on use. */
  subAccounts?: readonly string[];
}

/** The mutable account. */
export interface Account {
  readonly masterUid: string;
  keys: SimKey[];
  /** Sub-account name → uid. */
  subAccounts: Map<string, string>;
  readonly autoProvision: boolean;
  nextUid: bigint;
}

/** Creates the account with its master key. */
export function createAccount(init: AccountInit, nowMs: number): Account {
  const account: Account = {
    masterUid: init.masterUid,
    keys: [],
    subAccounts: new Map(),
    autoProvision: init.subAccounts === undefined,
    nextUid: 200_000_000_000_000_001n,
  };
  for (const name of init.subAccounts ?? []) provisionSubAccount(account, name);
  addMasterKey(account, { apiKey: init.masterKey, secret: init.masterSecret, passphrase: init.masterPassphrase, ips: init.masterIps }, nowMs);
  return account;
}

/** Adds a master key (trade permission, the given binding) to the account. */
export function addMasterKey(
  account: Account,
  key: { apiKey: string; secret: string; passphrase: string; ips: readonly string[] },
  nowMs: number,
): SimKey {
  const master: SimKey = {
    apiKey: key.apiKey,
    secretKey: key.secret,
    ...hashPassphrase(key.passphrase),
    uid: account.masterUid,
    subAcct: undefined,
    isMaster: true,
    perm: ['read_only', 'trade'],
    ips: [...key.ips],
    label: 'master',
    createdAtMs: nowMs,
    lastUsedAtMs: nowMs,
    deleted: false,
  };
  account.keys.push(master);
  return master;
}

/** The uid of a sub-account of this master, provisioning it when the account allows; undefined if none. */
export function subAccountUid(account: Account, name: string): string | undefined {
  const known = account.subAccounts.get(name);
  if (known !== undefined || !account.autoProvision || !/^[A-Za-z0-9]{6,20}$/.test(name)) return known;
  return provisionSubAccount(account, name);
}

/** A live key by its public id, after retiring keys OKX would have deleted for idleness. */
export function findLiveKey(account: Account, apiKey: string, nowMs: number): SimKey | undefined {
  const key = account.keys.find((k) => k.apiKey === apiKey && !k.deleted);
  if (key && idleExpired(key, nowMs)) key.deleted = true;
  return key?.deleted === false ? key : undefined;
}

/** True when OKX's 14-day rule has deleted the key: trade/withdraw, no binding, unused too long. */
export function idleExpired(key: SimKey, nowMs: number): boolean {
  const risky = key.perm.includes('trade') || key.perm.includes('withdraw');
  return risky && key.ips.length === 0 && nowMs - key.lastUsedAtMs > IDLE_EXPIRY_MS;
}

/** True when `passphrase` is the key's (compared as salted hashes, in constant time). */
export function passphraseMatches(key: SimKey, passphrase: string): boolean {
  const given = Buffer.from(digest(key.passphraseSalt, passphrase), 'hex');
  return timingSafeEqual(given, Buffer.from(key.passphraseHash, 'hex'));
}

/** Adds a sub-account key with a UUID api key and a 32-hex-digit secret (OKX's formats). */
export function addSubKey(account: Account, input: NewSubKey, nowMs: number): SimKey {
  const key: SimKey = {
    apiKey: randomUUID(),
    secretKey: randomBytes(16).toString('hex').toUpperCase(),
    ...hashPassphrase(input.passphrase),
    uid: account.subAccounts.get(input.subAcct) ?? '',
    subAcct: input.subAcct,
    isMaster: false,
    perm: [...input.perm],
    ips: [...input.ips],
    label: input.label,
    createdAtMs: nowMs,
    lastUsedAtMs: nowMs,
    deleted: false,
  };
  account.keys.push(key);
  return key;
}

/** Live keys of one sub-account, oldest first. */
export function subKeysOf(account: Account, subAcct: string, nowMs: number): SimKey[] {
  return account.keys.filter((k) => k.subAcct === subAcct && findLiveKey(account, k.apiKey, nowMs) === k);
}

/** Applies an admin patch to a live key; undefined when there is none. */
export function patchKey(account: Account, apiKey: string, patch: KeyPatch, nowMs: number): SimKey | undefined {
  const key = findLiveKey(account, apiKey, nowMs);
  if (!key) return undefined;
  if (patch.perm !== undefined) key.perm = [...patch.perm];
  if (patch.ips !== undefined) key.ips = [...patch.ips];
  if (patch.label !== undefined) key.label = patch.label;
  if (patch.lastUsedAt !== undefined) key.lastUsedAtMs = new Date(patch.lastUsedAt).getTime();
  return key;
}

/** The key's state without its secret or passphrase. */
export function viewKey(key: SimKey): SimKeyView {
  return {
    apiKey: key.apiKey,
    uid: key.uid,
    subAcct: key.subAcct ?? null,
    isMaster: key.isMaster,
    perm: [...key.perm],
    ips: [...key.ips],
    label: key.label,
    createdAt: new Date(key.createdAtMs).toISOString(),
    lastUsedAt: new Date(key.lastUsedAtMs).toISOString(),
    deleted: key.deleted,
  };
}

function provisionSubAccount(account: Account, name: string): string {
  const uid = String(account.nextUid++);
  account.subAccounts.set(name, uid);
  return uid;
}

function hashPassphrase(passphrase: string): { passphraseSalt: string; passphraseHash: string } {
  const passphraseSalt = randomBytes(16).toString('hex');
  return { passphraseSalt, passphraseHash: digest(passphraseSalt, passphrase) };
}

function digest(salt: string, passphrase: string): string {
  return createHash('sha256').update(salt).update(passphrase, 'utf8').digest('hex');
}
