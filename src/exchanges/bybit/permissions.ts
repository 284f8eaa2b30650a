// exkey's permission vocabulary ↔ Bybit's `{readOnly, permissions: {Category: [values]}}`.
// Bybit has one read-only switch per key, not per category: a key is readOnly=1 exactly when it
// may neither trade nor transfer, and then the categories it lists are the ones it may read.

import { PERMISSIONS, type Permission } from '../types.ts';
import { bybitInvalidRequest } from './errors.ts';

/** Bybit's permission object: category → granted values. */
export type BybitPermissionMap = Record<string, string[]>;

/** What create-sub-api needs besides the sub uid. */
export interface BybitKeyPermissions {
  readOnly: 0 | 1;
  permissions: BybitPermissionMap;
}

/** The reverse mapping, as KeyInfo reports it. */
export interface MappedPermissions {
  permissions: Permission[];
  unmappedPermissions: string[];
  withdrawEnabled: boolean;
}

// The full value set of each category exkey grants; a category maps back only when complete.
interface Grant {
  permission: Permission;
  category: string;
  values: readonly string[];
}
const SPOT: Grant = { permission: 'trade:spot', category: 'Spot', values: ['SpotTrade'] };
const DERIVATIVES: Grant = { permission: 'trade:derivatives', category: 'ContractTrade', values: ['Order', 'Position'] };
const OPTIONS: Grant = { permission: 'trade:options', category: 'Options', values: ['OptionsTrade'] };
const WALLET: Grant = { permission: 'transfer', category: 'Wallet', values: ['AccountTransfer', 'SubMemberTransferList'] };
const ALL_GRANTS: readonly Grant[] = [SPOT, DERIVATIVES, OPTIONS, WALLET];
const TRADE: readonly Grant[] = [SPOT, DERIVATIVES, OPTIONS];
const WITHDRAW_VALUE = 'Withdraw';

// Values Bybit adds on its own (every unified-account key gets DerivativesTrade): not drift.
const IMPLIED: Readonly<Record<string, readonly string[]>> = {
  Derivatives: ['DerivativesTrade'],
  // Reported through withdrawEnabled (and `withdraw`), never as an unknown permission.
  Wallet: [WITHDRAW_VALUE],
};

/**
 * Maps exkey permissions to Bybit's. `read` is implied. Throws an invalid-request ExchangeError
 * for `withdraw`: Bybit grants Wallet "Withdraw" to master keys only.
 */
export function toBybitPermissions(requested: readonly Permission[]): BybitKeyPermissions {
  if (requested.includes('withdraw')) {
    throw bybitInvalidRequest(
      'the "withdraw" permission cannot be granted: Bybit allows withdrawals only for master-account keys, never sub-account keys',
    );
  }
  const grants = requested.flatMap(grantsOf);
  if (grants.length === 0) {
    // Bybit needs at least one category; a read-only key reads every trading category.
    return { readOnly: 1, permissions: grantMap(TRADE) };
  }
  return { readOnly: 0, permissions: grantMap(grants) };
}

/** Maps Bybit's view of a key back to exkey permissions, reporting what has no exkey name. */
export function fromBybitPermissions(readOnly: boolean, map: Readonly<BybitPermissionMap>): MappedPermissions {
  const granted = new Set<Permission>(['read']);
  const unmapped: string[] = [];
  for (const [category, values] of Object.entries(map)) {
    const verdict = readCategory(category, values, readOnly);
    if (verdict.grant) granted.add(verdict.grant.permission);
    unmapped.push(...verdict.unmapped);
  }
  const withdrawEnabled = (map[WALLET.category] ?? []).includes(WITHDRAW_VALUE);
  if (withdrawEnabled && !readOnly) granted.add('withdraw');
  return { permissions: collapse(granted), unmappedPermissions: unmapped.sort(), withdrawEnabled };
}

function grantsOf(permission: Permission): readonly Grant[] {
  if (permission === 'trade') return TRADE;
  return ALL_GRANTS.filter((g) => g.permission === permission);
}

function grantMap(grants: readonly Grant[]): BybitPermissionMap {
  const map: BybitPermissionMap = {};
  for (const grant of grants) map[grant.category] = [...grant.values];
  return map;
}

// One category of the venue's map: the exkey permission it amounts to, and what has no name.
// On a read-only key the known categories only scope what may be read, so they grant nothing.
function readCategory(
  category: string,
  values: readonly string[],
  readOnly: boolean,
): { grant?: Grant; unmapped: string[] } {
  const grant = ALL_GRANTS.find((g) => g.category === category);
  if (grant && readOnly) return { unmapped: [] };
  const complete = grant !== undefined && grant.values.every((v) => values.includes(v));
  // A partial grant (e.g. ContractTrade ["Order"]) is reported value by value.
  const leftover = complete ? values.filter((v) => !grant.values.includes(v)) : values;
  const unmapped = leftover
    .filter((v) => !(IMPLIED[category]?.includes(v) ?? false))
    .map((v) => `${category}:${v}`);
  return complete ? { grant, unmapped } : { unmapped };
}

// Spot + derivatives + options is what `trade` grants, so report it under that one name.
function collapse(granted: Set<Permission>): Permission[] {
  if (TRADE.every((g) => granted.has(g.permission))) {
    for (const g of TRADE) granted.delete(g.permission);
    granted.add('trade');
  }
  return PERMISSIONS.filter((p) => granted.has(p));
}
