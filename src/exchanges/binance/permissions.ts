// exkey's permission vocabulary ↔ Binance's, in ONE table. Each row names the flag the
// sub-account key create call takes (POST /sapi/v2/sub-account/subAccountApi, "Create Sub-account
// API Key V2 (For Master Account)") and the field GET /sapi/v1/account/apiRestrictions reports
// back ("Get API Key Permission"). Binance keys can always read; the create call has no withdraw
// flag, so `withdraw` can only ever be read back (enableWithdrawals), never requested.

import { PERMISSIONS, type Permission } from '../types.ts';
import { binanceInvalidRequest } from './errors.ts';

/** One exkey permission and its two Binance names. */
export interface BinancePermissionRow {
  permission: Permission;
  /** Flag of the create call; undefined when Binance grants it implicitly or not at all. */
  createFlag: string | undefined;
  /** Field of apiRestrictions that reports it. */
  restriction: string;
  /** Why there is no create flag (shown when a caller asks for it). */
  refusal?: string;
}

/** The mapping, both directions. */
export const BINANCE_PERMISSIONS: readonly BinancePermissionRow[] = [
  { permission: 'read', createFlag: undefined, restriction: 'enableReading' },
  // canTrade is "Spot & Margin trading": margin order entry comes with it on Binance.
  { permission: 'trade:spot', createFlag: 'canTrade', restriction: 'enableSpotAndMarginTrading' },
  { permission: 'trade:derivatives', createFlag: 'canFuturesTrade', restriction: 'enableFutures' },
  { permission: 'trade:options', createFlag: 'canVanillaOptions', restriction: 'enableVanillaOptions' },
  { permission: 'transfer', createFlag: 'canUniversalTransfer', restriction: 'permitsUniversalTransfer' },
  {
    permission: 'withdraw',
    createFlag: undefined,
    restriction: 'enableWithdrawals',
    refusal: 'the Binance sub-account key create call has no withdraw flag (withdrawals can only be enabled in the Binance web UI, on an IP-restricted key)',
  },
];

/** What `trade` stands for. */
const TRADE: readonly Permission[] = ['trade:spot', 'trade:derivatives', 'trade:options'];

/** apiRestrictions fields that are not permissions at all. */
const NOT_PERMISSIONS = new Set(['ipRestrict', 'createTime', 'tradingAuthorityExpirationTime']);

/** The create call's flags for a request, all present (false when not asked for). */
export type BinanceCreateFlags = Record<string, boolean>;

/** The reverse mapping, as KeyInfo reports it. */
export interface MappedPermissions {
  permissions: Permission[];
  unmappedPermissions: string[];
  withdrawEnabled: boolean;
}

/**
 * Maps exkey permissions to the create call's flags. `read` is implied. Throws an invalid-request
 * ExchangeError naming every permission Binance cannot grant through the create call.
 */
export function toBinanceFlags(requested: readonly Permission[]): BinanceCreateFlags {
  const wanted = new Set(requested.flatMap((p) => (p === 'trade' ? TRADE : [p])));
  const refused = BINANCE_PERMISSIONS.filter((row) => wanted.has(row.permission) && row.refusal !== undefined);
  if (refused.length > 0) {
    const names = refused.map((row) => `"${row.permission}"`).join(', ');
    throw binanceInvalidRequest(`${names} cannot be granted: ${refused.map((row) => row.refusal).join('; ')}`);
  }
  const flags: BinanceCreateFlags = {};
  for (const row of BINANCE_PERMISSIONS) {
    if (row.createFlag !== undefined) flags[row.createFlag] = wanted.has(row.permission);
  }
  return flags;
}

/** Maps apiRestrictions' booleans back to exkey permissions, reporting granted fields with no exkey name. */
export function fromBinanceRestrictions(restrictions: Readonly<Record<string, unknown>>): MappedPermissions {
  const granted = new Set<Permission>();
  const known = new Set(BINANCE_PERMISSIONS.map((row) => row.restriction));
  for (const row of BINANCE_PERMISSIONS) {
    if (restrictions[row.restriction] === true) granted.add(row.permission);
  }
  const unmapped = Object.entries(restrictions)
    .filter(([field, value]) => value === true && !known.has(field) && !NOT_PERMISSIONS.has(field))
    .map(([field]) => field)
    .sort();
  return {
    permissions: collapse(granted),
    unmappedPermissions: unmapped,
    withdrawEnabled: restrictions.enableWithdrawals === true,
  };
}

// Spot + derivatives + options is what `trade` grants, so report it under that one name.
function collapse(granted: Set<Permission>): Permission[] {
  if (TRADE.every((p) => granted.has(p))) {
    for (const p of TRADE) granted.delete(p);
    granted.add('trade');
  }
  return PERMISSIONS.filter((p) => granted.has(p));
}
