// Binance's part of the /__sim/ control API (the kit serves the routes, loopback callers only):
// PATCH /__sim/keys/<apiKey> takes any of the key's flags (canTrade, canFuturesTrade,
// canVanillaOptions, canUniversalTransfer, canMarginLoanRepay, canFixApiTrading, canFixApiReading,
// enableWithdrawals, enableInternalTransfer) as booleans, `ips` (a list; empty lifts the
// restriction) and `apiName`. Key views never include secrets.

import { field, stringList } from '../../simulator-kit/json-fields.ts';
import { FLAG_NAMES, type KeyPatch } from './state.ts';

/** Reads a key patch from JSON; throws a readable Error when malformed. */
export function parseKeyPatch(value: unknown): KeyPatch {
  const patch: KeyPatch = {};
  for (const name of FLAG_NAMES) {
    const flag = field(value, name);
    if (flag === undefined) continue;
    if (typeof flag !== 'boolean') throw new Error(`${name} must be a boolean`);
    patch[name] = flag;
  }
  const ips = field(value, 'ips');
  if (ips !== undefined) patch.ips = stringList(ips, 'ips');
  const apiName = field(value, 'apiName');
  if (apiName !== undefined) {
    if (typeof apiName !== 'string') throw new Error('apiName must be a string');
    patch.apiName = apiName;
  }
  return patch;
}
