// Coinbase CDP key permissions as GET /api/v3/brokerage/key_permissions reports them, and what
// each is in exkey's vocabulary. The one table both directions use: reading a key (validation) and
// telling a human which boxes to tick in the CDP portal (the manual checklist).
// Sources: "Get API Key Permissions" (can_view, can_trade, can_transfer, portfolio_uuid,
// portfolio_type) and "API Scopes and Permissions" (View / Trade / Transfer: "Transfer enables
// your application to send and receive funds, on and off platform").

import { PERMISSIONS, type Permission } from '../types.ts';

/** One Coinbase permission. */
export interface CoinbasePermission {
  /** The key_permissions field. */
  field: 'can_view' | 'can_trade' | 'can_transfer';
  /** The checkbox in the CDP portal. */
  ui: string;
  exkey: Permission;
}

/** Every Coinbase key permission. A key is scoped to one portfolio; trade covers what it trades. */
export const COINBASE_PERMISSIONS: readonly CoinbasePermission[] = [
  { field: 'can_view', ui: 'View', exkey: 'read' },
  { field: 'can_trade', ui: 'Trade', exkey: 'trade' },
  // Sends funds off platform too: fund-moving, and reported as withdrawEnabled.
  { field: 'can_transfer', ui: 'Transfer', exkey: 'transfer' },
];

/** key_permissions' flags. */
export type CoinbaseFlags = Readonly<Record<CoinbasePermission['field'], boolean>>;

/** What a key's flags amount to. */
export interface MappedPermissions {
  permissions: Permission[];
  unmappedPermissions: string[];
  withdrawEnabled: boolean;
}

/** Maps key_permissions' flags to exkey's permissions. */
export function fromCoinbaseFlags(flags: CoinbaseFlags): MappedPermissions {
  const granted = new Set(COINBASE_PERMISSIONS.filter((p) => flags[p.field]).map((p) => p.exkey));
  return { permissions: PERMISSIONS.filter((p) => granted.has(p)), unmappedPermissions: [], withdrawEnabled: flags.can_transfer };
}

/** The boxes a human must tick for `requested` (any trade:* needs Coinbase's one Trade box). */
export function coinbasePermissionsFor(requested: readonly Permission[]): CoinbasePermission[] {
  const wanted = new Set<Permission>(requested.map((p) => (p.startsWith('trade') ? 'trade' : p === 'withdraw' ? 'transfer' : p)));
  return COINBASE_PERMISSIONS.filter((p) => wanted.has(p.exkey));
}
