// Coinbase's part of the /__sim/ control API, standing in for the CDP portal:
//   POST   /__sim/keys          {can_view, can_trade, can_transfer, publicKey?: SPKI PEM,
//                               algorithm?: "ECDSA" | "Ed25519", name?, portfolio_uuid?, ipAllowlist?}
//                               → the key; with `privateKey` (shown once) when the simulator made the pair
//   PATCH  /__sim/keys/<name>   any of can_view, can_trade, can_transfer, ipAllowlist
//   DELETE /__sim/keys/<name>   deletes the key; later tokens signed by it get 401
// Key names contain slashes: URL-encode them in the path.

import { field, stringList } from '../../simulator-kit/json-fields.ts';
import type { KeyPatch, NewKey } from './state.ts';

const FLAGS = ['can_view', 'can_trade', 'can_transfer'] as const;

/** Reads a new key from admin JSON; throws a readable Error when malformed. */
export function parseNewKey(value: unknown): NewKey {
  const patch = parseKeyPatch(value);
  const algorithm = field(value, 'algorithm');
  if (algorithm !== undefined && algorithm !== 'ECDSA' && algorithm !== 'Ed25519') throw new Error('algorithm must be "ECDSA" or "Ed25519"');
  const strings = Object.fromEntries(['publicKey', 'name', 'portfolio_uuid'].map((name) => [name, optionalString(value, name)]));
  return {
    can_view: patch.can_view ?? false,
    can_trade: patch.can_trade ?? false,
    can_transfer: patch.can_transfer ?? false,
    ...(patch.ipAllowlist ? { ipAllowlist: patch.ipAllowlist } : {}),
    ...(algorithm === undefined ? {} : { algorithm }),
    ...(strings.publicKey === undefined ? {} : { publicKeyPem: strings.publicKey }),
    ...(strings.name === undefined ? {} : { name: strings.name }),
    ...(strings.portfolio_uuid === undefined ? {} : { portfolioUuid: strings.portfolio_uuid }),
  };
}

/** Reads a key patch from admin JSON; throws a readable Error when malformed. */
export function parseKeyPatch(value: unknown): KeyPatch {
  const patch: KeyPatch = {};
  for (const flag of FLAGS) {
    const v = field(value, flag);
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new Error(`${flag} must be a boolean`);
    patch[flag] = v;
  }
  const ips = field(value, 'ipAllowlist');
  if (ips !== undefined) patch.ipAllowlist = stringList(ips, 'ipAllowlist');
  return patch;
}

function optionalString(value: unknown, name: string): string | undefined {
  const v = field(value, name);
  if (v !== undefined && (typeof v !== 'string' || v === '')) throw new Error(`${name} must be a non-empty string`);
  return v;
}
