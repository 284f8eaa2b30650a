// The simulated Coinbase CDP project's API keys. Keys are created and deleted only in the CDP
// portal: here through the admin API. The simulator keeps only each key's public key; when it
// generates a key pair (as the portal does) the private key is returned once and forgotten.

import { createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { CdpAlgorithm } from '../jwt.ts';

/** One key as the simulator stores it. */
export interface SimKey {
  /** "organizations/<org>/apiKeys/<id>": the JWT's kid and sub. */
  name: string;
  alg: CdpAlgorithm;
  publicKey: KeyObject;
  can_view: boolean;
  can_trade: boolean;
  can_transfer: boolean;
  portfolioUuid: string;
  /** Kept for views only: key_permissions cannot report it. */
  ipAllowlist: string[];
  createdAtMs: number;
  deleted: boolean;
}

/** What a human sets when creating a key. */
export interface NewKey {
  name?: string;
  /** SPKI PEM; a key pair of `algorithm` is generated when absent. */
  publicKeyPem?: string;
  algorithm?: 'ECDSA' | 'Ed25519';
  can_view: boolean;
  can_trade: boolean;
  can_transfer: boolean;
  portfolioUuid?: string;
  ipAllowlist?: string[];
}

/** Changes a human may make to a live key in the portal. */
export type KeyPatch = Partial<Pick<SimKey, 'can_view' | 'can_trade' | 'can_transfer' | 'ipAllowlist'>>;

/** A key's state for the admin API and tests (public material only). */
export interface SimKeyView {
  name: string;
  alg: CdpAlgorithm;
  publicKey: string;
  can_view: boolean;
  can_trade: boolean;
  can_transfer: boolean;
  portfolio_uuid: string;
  ipAllowlist: string[];
  createdAt: string;
  deleted: boolean;
}

/** The project's keys, oldest first. */
export interface KeyBook {
  organization: string;
  keys: SimKey[];
}

/** Adds a key; returns it and, when the simulator generated the pair, the private key PEM. */
export function addKey(book: KeyBook, input: NewKey, nowMs: number): { key: SimKey; privateKeyPem?: string } {
  const name = input.name ?? `organizations/${book.organization}/apiKeys/${randomUUID()}`;
  if (findKey(book, name)) throw new Error(`key ${name} already exists`);
  const pair = input.publicKeyPem === undefined ? generatePair(input.algorithm ?? 'ECDSA') : undefined;
  const publicKey = pair?.publicKey ?? createPublicKey(input.publicKeyPem ?? '');
  const alg = algorithmOf(publicKey);
  const key: SimKey = {
    name, alg, publicKey,
    can_view: input.can_view, can_trade: input.can_trade, can_transfer: input.can_transfer,
    portfolioUuid: input.portfolioUuid ?? randomUUID(), ipAllowlist: [...(input.ipAllowlist ?? [])],
    createdAtMs: nowMs, deleted: false,
  };
  book.keys.push(key);
  return pair ? { key, privateKeyPem: pair.privateKeyPem } : { key };
}

/** A live key by name. */
export function findKey(book: KeyBook, name: string): SimKey | undefined {
  return book.keys.find((k) => k.name === name && !k.deleted);
}

/** Applies a patch to a live key; undefined when there is none. */
export function patchKey(book: KeyBook, name: string, patch: KeyPatch): SimKey | undefined {
  const key = findKey(book, name);
  if (key) Object.assign(key, patch);
  return key;
}

/** Deletes a live key; undefined when there is none. */
export function deleteKey(book: KeyBook, name: string): SimKey | undefined {
  const key = findKey(book, name);
  if (key) key.deleted = true;
  return key;
}

/** The key's public state. */
export function viewKey(key: SimKey): SimKeyView {
  return {
    name: key.name, alg: key.alg, publicKey: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    can_view: key.can_view, can_trade: key.can_trade, can_transfer: key.can_transfer, portfolio_uuid: key.portfolioUuid,
    ipAllowlist: [...key.ipAllowlist], createdAt: new Date(key.createdAtMs).toISOString(), deleted: key.deleted,
  };
}

/** key_permissions' answer for a key. */
export function keyPermissions(key: SimKey): Record<string, unknown> {
  return { can_view: key.can_view, can_trade: key.can_trade, can_transfer: key.can_transfer, portfolio_uuid: key.portfolioUuid, portfolio_type: 'DEFAULT' };
}

function generatePair(algorithm: 'ECDSA' | 'Ed25519'): { publicKey: KeyObject; privateKeyPem: string } {
  // The portal hands out EC keys as SEC1 "EC PRIVATE KEY" PEMs.
  const pair = algorithm === 'Ed25519'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const privateKeyPem = pair.privateKey.export(algorithm === 'Ed25519' ? { type: 'pkcs8', format: 'pem' } : { type: 'sec1', format: 'pem' }).toString();
  return { publicKey: pair.publicKey, privateKeyPem };
}

function algorithmOf(publicKey: KeyObject): CdpAlgorithm {
  if (publicKey.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (publicKey.asymmetricKeyType === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('publicKey must be an ECDSA P-256 or Ed25519 SPKI PEM');
}
