// Kraken's part of the /__sim/ control API, standing in for Kraken's "Create API key" UI:
//   POST   /__sim/keys        {apiKeyName?, permissions: [...], ipAllowlist?: [...], nonceWindow?,
//                             validUntil?: unix seconds (0 = never), apiKey?, secret?}
//                             → the key with its secret (shown once, as Kraken's UI does)
//   PATCH  /__sim/keys/<key>  any of apiKeyName, permissions, ipAllowlist, nonceWindow, validUntil
//   DELETE /__sim/keys/<key>  deletes the key; later calls with it get EAPI:Invalid key

import { field, stringList } from '../../simulator-kit/json-fields.ts';
import type { KeyPatch, NewKey } from './state.ts';

/** Reads a new key from admin JSON; throws a readable Error when malformed. */
export function parseNewKey(value: unknown): NewKey {
  const patch = parseKeyPatch(value);
  if (patch.permissions === undefined) throw new Error('permissions must be a list of strings');
  const apiKey = optionalString(value, 'apiKey');
  const secret = optionalString(value, 'secret');
  if (secret !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new Error('secret must be base64');
  return {
    apiKeyName: patch.apiKeyName ?? 'exkey',
    permissions: patch.permissions,
    ipAllowlist: patch.ipAllowlist ?? [],
    nonceWindow: patch.nonceWindow ?? 0,
    validUntilMs: patch.validUntilMs ?? 0,
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(secret === undefined ? {} : { secret }),
  };
}

/** Reads a key patch from admin JSON; throws a readable Error when malformed. */
export function parseKeyPatch(value: unknown): KeyPatch {
  const patch: KeyPatch = {};
  const name = optionalString(value, 'apiKeyName');
  if (name !== undefined) patch.apiKeyName = name;
  const permissions = field(value, 'permissions');
  if (permissions !== undefined) patch.permissions = stringList(permissions, 'permissions');
  const ips = field(value, 'ipAllowlist');
  if (ips !== undefined) patch.ipAllowlist = stringList(ips, 'ipAllowlist');
  const window = field(value, 'nonceWindow');
  if (window !== undefined) patch.nonceWindow = nonNegativeInteger(window, 'nonceWindow');
  const validUntil = field(value, 'validUntil');
  if (validUntil !== undefined) patch.validUntilMs = nonNegativeInteger(validUntil, 'validUntil') * 1000;
  return patch;
}

function optionalString(value: unknown, name: string): string | undefined {
  const v = field(value, name);
  if (v !== undefined && (typeof v !== 'string' || v === '')) throw new Error(`${name} must be a non-empty string`);
  return v;
}

function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}
