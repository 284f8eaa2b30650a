// The simulated Kraken account's API keys. Kraken has no key-management API: keys appear and
// disappear only through the admin API, as a human would add and delete them in Kraken's UI.
// Each key keeps Kraken's settings (permissions, IP allowlist, nonce window, expiry) and the
// per-key nonce state GetApiKeyInfo reports. Plain data plus small functions.

import { randomBytes } from 'node:crypto';
import { randomToken } from '../../simulator-kit/tokens.ts';

/** One key as the simulator stores it (the secret never leaves through views). */
export interface SimKey {
  apiKey: string;
  /** base64 of 64 random bytes, as Kraken shows the "private key". */
  secret: string;
  apiKeyName: string;
  /** GetApiKeyInfo's permission strings ("query-funds", "withdraw-funds", ...). */
  permissions: string[];
  /** IPs or CIDRs; empty means any address. */
  ipAllowlist: string[];
  /** How far below the highest nonce seen a fresh nonce may still be; 0: strictly increasing. */
  nonceWindow: number;
  /** Unix ms after which the key is refused; 0: never. */
  validUntilMs: number;
  createdAtMs: number;
  modifiedAtMs: number;
  lastUsedMs: number;
  /** The highest nonce accepted so far. */
  highestNonce: bigint | undefined;
  /** Nonces accepted within the window below the highest (reuse is refused even inside it). */
  usedNonces: Set<bigint>;
  deleted: boolean;
}

/** What a human sets when creating a key (everything but the generated key and secret). */
export interface NewKey {
  apiKeyName: string;
  permissions: string[];
  ipAllowlist: string[];
  nonceWindow: number;
  validUntilMs: number;
  /** Fixed credentials (tests, CLI); generated when absent. */
  apiKey?: string;
  secret?: string;
}

/** Changes the admin API may make to a live key (a human editing it in the UI). */
export type KeyPatch = Partial<Pick<SimKey, 'apiKeyName' | 'permissions' | 'ipAllowlist' | 'nonceWindow' | 'validUntilMs'>>;

/** A key's state for the admin API and tests: everything but the secret. */
export interface SimKeyView {
  apiKey: string;
  apiKeyName: string;
  permissions: string[];
  ipAllowlist: string[];
  nonceWindow: number;
  validUntil: string | null;
  highestNonce: string | null;
  createdAt: string;
  lastUsed: string | null;
  deleted: boolean;
}

/** The account's keys, oldest first (deleted ones kept for the request history). */
export interface KeyBook {
  keys: SimKey[];
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Adds a key with a fresh 56-character key and an 88-character base64 secret (Kraken's formats). */
export function addKey(book: KeyBook, input: NewKey, nowMs: number): SimKey {
  const apiKey = input.apiKey ?? randomToken(56, BASE64_ALPHABET);
  if (findKey(book, apiKey)) throw new Error(`api key ${apiKey} already exists`);
  const key: SimKey = {
    apiKey,
    secret: input.secret ?? randomBytes(64).toString('base64'),
    apiKeyName: input.apiKeyName,
    permissions: [...input.permissions],
    ipAllowlist: [...input.ipAllowlist],
    nonceWindow: input.nonceWindow,
    validUntilMs: input.validUntilMs,
    createdAtMs: nowMs,
    modifiedAtMs: nowMs,
    lastUsedMs: 0,
    highestNonce: undefined,
    usedNonces: new Set(),
    deleted: false,
  };
  book.keys.push(key);
  return key;
}

/** A live (not deleted) key by its public id. */
export function findKey(book: KeyBook, apiKey: string): SimKey | undefined {
  return book.keys.find((k) => k.apiKey === apiKey && !k.deleted);
}

/** Applies a patch to a live key; undefined when there is none. */
export function patchKey(book: KeyBook, apiKey: string, patch: KeyPatch, nowMs: number): SimKey | undefined {
  const key = findKey(book, apiKey);
  if (!key) return undefined;
  Object.assign(key, patch);
  key.modifiedAtMs = nowMs;
  return key;
}

/** Deletes a live key; undefined when there is none. */
export function deleteKey(book: KeyBook, apiKey: string, nowMs: number): SimKey | undefined {
  const key = findKey(book, apiKey);
  if (!key) return undefined;
  key.deleted = true;
  key.modifiedAtMs = nowMs;
  return key;
}

/**
 * Kraken's nonce rule for one key: above the highest nonce seen, or, with a nonce window, at most
 * `nonceWindow` below it and never used before. Records the nonce when accepted.
 */
export function acceptNonce(key: SimKey, nonce: bigint): boolean {
  const highest = key.highestNonce;
  if (highest !== undefined && nonce <= highest) {
    if (nonce < highest - BigInt(key.nonceWindow) || nonce === highest || key.usedNonces.has(nonce)) return false;
  }
  if (highest === undefined || nonce > highest) key.highestNonce = nonce;
  key.usedNonces.add(nonce);
  const floor = (key.highestNonce ?? nonce) - BigInt(key.nonceWindow);
  for (const used of key.usedNonces) if (used < floor) key.usedNonces.delete(used);
  return true;
}

/** The key's state without its secret. */
export function viewKey(key: SimKey): SimKeyView {
  return {
    apiKey: key.apiKey,
    apiKeyName: key.apiKeyName,
    permissions: [...key.permissions],
    ipAllowlist: [...key.ipAllowlist],
    nonceWindow: key.nonceWindow,
    validUntil: key.validUntilMs === 0 ? null : new Date(key.validUntilMs).toISOString(),
    highestNonce: key.highestNonce?.toString() ?? null,
    createdAt: new Date(key.createdAtMs).toISOString(),
    lastUsed: key.lastUsedMs === 0 ? null : new Date(key.lastUsedMs).toISOString(),
    deleted: key.deleted,
  };
}

/** GetApiKeyInfo's result for a key, in Kraken's shape (times as Unix seconds in strings). */
export function apiKeyInfo(key: SimKey): Record<string, unknown> {
  const seconds = (ms: number): string => String(Math.floor(ms / 1000));
  return {
    apiKeyName: key.apiKeyName,
    apiKey: key.apiKey,
    nonce: key.highestNonce?.toString() ?? '0',
    nonceWindow: key.nonceWindow,
    permissions: [...key.permissions],
    iban: 'AA00 SIMU LATE DKEY',
    validUntil: seconds(key.validUntilMs),
    queryFrom: '0',
    queryTo: '0',
    createdTime: seconds(key.createdAtMs),
    modifiedTime: seconds(key.modifiedAtMs),
    ipAllowlist: [...key.ipAllowlist],
    lastUsed: seconds(key.lastUsedMs),
  };
}
