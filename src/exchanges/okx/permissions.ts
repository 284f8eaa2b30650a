// exkey's permission vocabulary ↔ OKX's `perm`, in one table read both ways. OKX has three key
// permissions (Read, Trade, Withdraw: docs "Authentication → API key permissions"), and a
// sub-account key accepts only `read_only` and `trade` ("Sub-account → Create an API Key for a
// sub-account"). Trade is not scoped by product, and OKX reports a trading key as
// "read_only,trade" ("Trading Account → Get account configuration").

import { PERMISSIONS, type Permission } from '../types.ts';
import { okxInvalidRequest } from './errors.ts';

/** The `perm` values create-apikey accepts for a sub-account key. */
export type OkxRequestPerm = 'read_only' | 'trade';

/** How exkey asks OKX for a permission. */
export type OkxRequestRule =
  | 'grant' // send this OKX perm
  | 'all-products' // OKX trade covers spot, derivatives and options at once: only with all three
  | 'refuse'; // a sub-account key cannot hold it

/** One row: an exkey permission, the OKX perm that grants it, and how exkey may request it. */
export interface OkxPermissionRow {
  permission: Permission;
  /** The OKX perm value; undefined when OKX has none. */
  okx: string | undefined;
  request: OkxRequestRule;
  /** Why, shown in the refusal (for 'refuse') and in docs. */
  note: string;
}

/** THE mapping, both directions: requests go left to right, validate() reads right to left. */
export const OKX_PERMISSION_TABLE: readonly OkxPermissionRow[] = [
  { permission: 'read', okx: 'read_only', request: 'grant', note: 'every OKX key can read' },
  // OKX trade also lets the sub-account's key move funds to its main account (asset/transfer
  // type 3), and to sibling sub-accounts when the master enabled transfer-out (type 4).
  { permission: 'trade', okx: 'trade', request: 'grant', note: 'orders on every product, plus funding transfers to the main account' },
  { permission: 'trade:spot', okx: 'trade', request: 'all-products', note: 'OKX trade is not scoped by product' },
  { permission: 'trade:derivatives', okx: 'trade', request: 'all-products', note: 'OKX trade is not scoped by product' },
  { permission: 'trade:options', okx: 'trade', request: 'all-products', note: 'OKX trade is not scoped by product' },
  { permission: 'transfer', okx: undefined, request: 'refuse', note: 'OKX has no transfer permission for sub-account keys (only read_only and trade)' },
  { permission: 'withdraw', okx: 'withdraw', request: 'refuse', note: 'OKX sub-account keys cannot withdraw (error 59504)' },
];

/** The reverse mapping, as KeyInfo reports it. */
export interface MappedPermissions {
  permissions: Permission[];
  unmappedPermissions: string[];
  withdrawEnabled: boolean;
}

const PRODUCTS = OKX_PERMISSION_TABLE.filter((r) => r.request === 'all-products').map((r) => r.permission);

/**
 * The one `perm` value to send for the requested permissions. Throws an invalid-request
 * ExchangeError naming every permission OKX cannot express, rather than granting something wider.
 */
export function toOkxPerm(requested: readonly Permission[]): OkxRequestPerm {
  const rows = OKX_PERMISSION_TABLE.filter((r) => requested.includes(r.permission));
  const refused = rows.filter((r) => r.request === 'refuse');
  if (refused.length > 0) {
    throw okxInvalidRequest(`cannot grant ${refused.map((r) => `"${r.permission}" (${r.note})`).join(', ')}`);
  }
  const products = rows.filter((r) => r.request === 'all-products').map((r) => r.permission);
  const wholeTrade = requested.includes('trade') || PRODUCTS.every((p) => products.includes(p));
  if (products.length > 0 && !wholeTrade) {
    const extra = PRODUCTS.filter((p) => !products.includes(p));
    throw okxInvalidRequest(
      `cannot grant ${products.map((p) => `"${p}"`).join(', ')} alone: OKX trade is not scoped by product and would also grant ${extra.join(', ')}; ask for "trade"`,
    );
  }
  return rows.some((r) => r.okx === 'trade') ? 'trade' : 'read_only';
}

/** Maps OKX's perm list (e.g. ["read_only", "trade"]) to exkey permissions, keeping unknown values. */
export function fromOkxPerm(perm: readonly string[]): MappedPermissions {
  const granted = new Set<Permission>(['read']);
  const unmapped: string[] = [];
  for (const value of perm) {
    // Product rows share OKX's `trade`; the whole-trade row is the one to report.
    const row = OKX_PERMISSION_TABLE.find((r) => r.okx === value && r.request !== 'all-products');
    if (row) granted.add(row.permission);
    else unmapped.push(value);
  }
  return {
    permissions: PERMISSIONS.filter((p) => granted.has(p)),
    unmappedPermissions: unmapped.sort(),
    withdrawEnabled: granted.has('withdraw'),
  };
}
