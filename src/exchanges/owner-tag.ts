import type { OwnedKey, Owner } from './types.ts';

// Venues give us one short free-text field per key (Bybit `note`, OKX `label`, Deribit `name`
// with at most 16 chars of [A-Za-z0-9_]). The tag must fit all of them: "xk" + the first 10 hex
// digits of the owner's uid + "_" + the version in base 36. 40 bits of uid make collisions between
// ExchangeKeys sharing one venue account negligible, and base 36 keeps versions short.
const TAG = /^xk([0-9a-f]{10})_([0-9a-z]{1,3})$/;

/** Short owner tag that fits every venue's key label field. */
export function formatOwnerTag(owner: Owner): string {
  return `xk${uidPrefix(owner.uid)}_${owner.version.toString(36)}`;
}

/** Parses a venue label back into the owner's uid prefix and version; undefined if not exkey's. */
export function parseOwnerTag(label: string): { uidPrefix: string; version: number } | undefined {
  const match = TAG.exec(label);
  if (!match?.[1] || !match[2]) return undefined;
  return { uidPrefix: match[1], version: parseInt(match[2], 36) };
}

/** The part of a uid that goes into tags. */
export function uidPrefix(uid: string): string {
  return uid.replaceAll('-', '').toLowerCase().slice(0, 10);
}

/** True when `label` is a tag for the ExchangeKey with this uid. */
export function isOwnedBy(label: string, uid: string): boolean {
  return parseOwnerTag(label)?.uidPrefix === uidPrefix(uid);
}

/** The OwnedKey for a venue key whose label is a tag for `ownerUid`, as a list of one; empty when it is not. */
export function ownedKeyOf(key: { keyId: string; label: string }, ownerUid: string, account?: string): OwnedKey[] {
  const tag = isOwnedBy(key.label, ownerUid) ? parseOwnerTag(key.label) : undefined;
  if (!tag) return [];
  return [{ keyId: key.keyId, owner: { uid: ownerUid, version: tag.version }, ...(account === undefined ? {} : { account }) }];
}
