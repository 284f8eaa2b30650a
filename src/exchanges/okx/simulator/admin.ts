// OKX's part of the /__sim/ control API (the kit serves the routes, loopback callers only):
// PATCH /__sim/keys/<apiKey> takes {perm?, ips?, label?, lastUsedAt?}. Key views never include
// secrets or passphrases.

import { field, stringList } from '../../simulator-kit/json-fields.ts';
import type { KeyPatch } from './state.ts';

/** Reads a key patch from JSON; throws a readable Error when malformed. */
export function parseKeyPatch(value: unknown): KeyPatch {
  const patch: KeyPatch = {};
  const perm = field(value, 'perm');
  if (perm !== undefined) patch.perm = stringList(perm, 'perm');
  const ips = field(value, 'ips');
  if (ips !== undefined) patch.ips = stringList(ips, 'ips');
  const label = field(value, 'label');
  if (label !== undefined) {
    if (typeof label !== 'string') throw new Error('label must be a string');
    patch.label = label;
  }
  const lastUsedAt = field(value, 'lastUsedAt');
  if (lastUsedAt !== undefined) {
    if (typeof lastUsedAt !== 'string' || Number.isNaN(Date.parse(lastUsedAt))) throw new Error('lastUsedAt must be an ISO time');
    patch.lastUsedAt = lastUsedAt;
  }
  return patch;
}
