// The simulated Bybit account: one master uid with its master key(s), sub uids, and the API keys
// created for them. Plain data plus small functions; the HTTP layer decides who may call what.

import { randomBytes } from 'node:crypto';
import type { BybitPermissionMap } from '../permissions.ts';
import { isoSeconds } from './envelope.ts';

/** Keys with no IP binding stop working 90 days after creation (Bybit's rule). */
export const UNBOUND_LIFETIME_MS = 90 * 24 * 3600_000;

/** One API key as the simulator stores it (the secret never leaves through views). */
export interface SimKey {
  id: string;
  apiKey: string;
  secret: string;
  /** The uid the key acts for (master uid or a sub uid). */
  uid: string;
  isMaster: boolean;
  readOnly: 0 | 1;
  permissions: BybitPermissionMap;
  /** Bound IPs; empty means unbound ("*"). */
  ips: string[];
  note: string;
  createdAtMs: number;
  /** Undefined: never expires. */
  expiresAtMs: number | undefined;
  deleted: boolean;
}

/** A key's state for the admin API and tests: everything but the secret. */
export interface SimKeyView {
  id: string;
  apiKey: string;
  uid: string;
  isMaster: boolean;
  readOnly: 0 | 1;
  permissions: BybitPermissionMap;
  ips: string[];
  note: string;
  createdAt: string;
  expiredAt: string | null;
  deleted: boolean;
}

/** Changes the admin API may make to a key (drift tests). */
export interface KeyPatch {
  readOnly?: 0 | 1;
  permissions?: BybitPermissionMap;
  ips?: string[];
  note?: string;
  /** ISO time, or null for "never expires". Defaults to Bybit's rule when ips change. */
  expiredAt?: string | null;
}

/** What a new sub key is created with. */
export interface NewSubKey {
  uid: string;
  readOnly: 0 | 1;
  permissions: BybitPermissionMap;
  ips: string[];
  note: string;
}

/** How the account starts (and what reset() returns to). */
export interface AccountInit {
  masterKey: string;
  masterSecret: string;
  masterUid: string;
  /** When given, only these sub uids exist; otherwise any numeric uid is provisioned on use. */
  subUids?: readonly string[];
}

/** The mutable account. */
export interface Account {
  readonly masterUid: string;
  keys: SimKey[];
  nextId: number;
  readonly subUids: ReadonlySet<string> | undefined;
}

/** The master permissions the simulator gives configured master keys. */
export const MASTER_PERMISSIONS: BybitPermissionMap = {
  ContractTrade: ['Order', 'Position'],
  Spot: ['SpotTrade'],
  Wallet: ['AccountTransfer', 'SubMemberTransfer'],
  Options: ['OptionsTrade'],
};

// Master keys are never IP-bound and never expire in the simulator.
function masterKey(identity: Pick<SimKey, 'id' | 'apiKey' | 'secret' | 'uid'>, nowMs: number): SimKey {
  return {
    ...identity,
    isMaster: true,
    readOnly: 0,
    permissions: structuredClone(MASTER_PERMISSIONS),
    ips: [],
    note: 'master',
    createdAtMs: nowMs,
    expiresAtMs: undefined,
    deleted: false,
  };
}

/** Creates the account with its master key. */
export function createAccount(init: AccountInit, nowMs: number): Account {
  const master = masterKey({ id: '1', apiKey: init.masterKey, secret: init.masterSecret, uid: init.masterUid }, nowMs);
  return {
    masterUid: init.masterUid,
    keys: [master],
    nextId: 10_000_001,
    subUids: init.subUids ? new Set(init.subUids) : undefined,
  };
}

/** Adds another master key to the account (e.g. to rotate the managing key). */
export function addMasterKey(account: Account, apiKey: string, secret: string, nowMs: number): SimKey {
  const key = masterKey({ id: String(account.nextId++), apiKey, secret, uid: account.masterUid }, nowMs);
  account.keys.push(key);
  return key;
}

/** A live (not deleted) key by its public id; deleted keys are looked up separately by views. */
export function findKey(account: Account, apiKey: string): SimKey | undefined {
  return account.keys.find((k) => k.apiKey === apiKey && !k.deleted);
}

/** True when `uid` is a sub account of this master (auto-provisioned when no list was given). */
export function isSubUid(account: Account, uid: string): boolean {
  if (!/^\d+$/.test(uid) || uid === account.masterUid) return false;
  return account.subUids ? account.subUids.has(uid) : true;
}

/** Adds a sub key with a fresh 18-char key and 36-char secret. */
export function addSubKey(account: Account, input: NewSubKey, nowMs: number): SimKey {
  const key: SimKey = {
    id: String(account.nextId++),
    apiKey: randomToken(18),
    secret: randomToken(36),
    uid: input.uid,
    isMaster: false,
    readOnly: input.readOnly,
    permissions: structuredClone(input.permissions),
    ips: [...input.ips],
    note: input.note,
    createdAtMs: nowMs,
    expiresAtMs: input.ips.length === 0 ? nowMs + UNBOUND_LIFETIME_MS : undefined,
    deleted: false,
  };
  account.keys.push(key);
  return key;
}

/** Live sub keys of one sub uid, oldest first. */
export function subKeysOf(account: Account, uid: string): SimKey[] {
  return account.keys.filter((k) => !k.isMaster && !k.deleted && k.uid === uid);
}

/** Applies an admin patch to a live key; undefined when there is none. */
export function patchKey(account: Account, apiKey: string, patch: KeyPatch): SimKey | undefined {
  const key = findKey(account, apiKey);
  if (!key) return undefined;
  if (patch.readOnly !== undefined) key.readOnly = patch.readOnly;
  if (patch.permissions !== undefined) key.permissions = structuredClone(patch.permissions);
  if (patch.note !== undefined) key.note = patch.note;
  if (patch.ips !== undefined) {
    key.ips = [...patch.ips];
    key.expiresAtMs = key.ips.length === 0 && !key.isMaster ? key.createdAtMs + UNBOUND_LIFETIME_MS : undefined;
  }
  if (patch.expiredAt !== undefined) {
    key.expiresAtMs = patch.expiredAt === null ? undefined : new Date(patch.expiredAt).getTime();
  }
  return key;
}

/** The key's state without its secret. */
export function viewKey(key: SimKey): SimKeyView {
  return {
    id: key.id,
    apiKey: key.apiKey,
    uid: key.uid,
    isMaster: key.isMaster,
    readOnly: key.readOnly,
    permissions: structuredClone(key.permissions),
    ips: [...key.ips],
    note: key.note,
    createdAt: isoSeconds(key.createdAtMs),
    expiredAt: key.expiresAtMs === undefined ? null : isoSeconds(key.expiresAtMs),
    deleted: key.deleted,
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Bybit keys and secrets are alphanumeric; rejection sampling keeps the characters uniform.
function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % ALPHABET.length] ?? '';
    }
  }
  return out;
}
