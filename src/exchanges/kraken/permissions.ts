// Kraken's API-key permissions as GetApiKeyInfo names them, and what each is in exkey's vocabulary.
// The one table both directions use: reading a key's permissions (validation) and telling a human
// which boxes to tick in Kraken's UI (the manual checklist).
//
// Sources: GetApiKeyInfo's documented example lists "query-funds", "withdraw-funds",
// "query-open-trades", "modify-trades" (docs.kraken.com/api-reference/account-data/get-api-key-info);
// the UI names come from "API key permissions" (docs.kraken.com/exchange/guides/rest/api-keys).
// The other strings are inferred from the UI names and the Fast API key fields (funds_add,
// funds_earn, trades_close, trades_query_closed, ledger_query, export_data): Kraken does not
// publish the full list, so anything else a key reports lands in unmappedPermissions as drift.

import { PERMISSIONS, type Permission } from '../types.ts';

/** One Kraken permission. */
export interface KrakenPermission {
  /** As GetApiKeyInfo reports it. */
  kraken: string;
  /** The checkbox in Kraken's "Create API key" form. */
  ui: string;
  /** What it amounts to in exkey's vocabulary; undefined when exkey has no name for it. */
  exkey: Permission | undefined;
}

/** Every Kraken spot permission exkey knows. */
export const KRAKEN_PERMISSIONS: readonly KrakenPermission[] = [
  { kraken: 'query-funds', ui: 'Funds: Query', exkey: 'read' },
  { kraken: 'deposit-funds', ui: 'Funds: Deposit', exkey: undefined },
  // Earn allocation moves funds between the spot wallet and earn strategies: a transfer.
  { kraken: 'earn-funds', ui: 'Funds: Earn', exkey: 'transfer' },
  { kraken: 'withdraw-funds', ui: 'Funds: Withdraw', exkey: 'withdraw' },
  { kraken: 'query-open-trades', ui: 'Orders and trades: Query open orders & trades', exkey: 'read' },
  { kraken: 'query-closed-trades', ui: 'Orders and trades: Query closed orders & trades', exkey: 'read' },
  { kraken: 'modify-trades', ui: 'Orders and trades: Create & modify orders', exkey: 'trade:spot' },
  { kraken: 'close-trades', ui: 'Orders and trades: Cancel & close orders', exkey: 'trade:spot' },
  { kraken: 'query-ledger', ui: 'Data: Query ledger entries', exkey: 'read' },
  { kraken: 'export-data', ui: 'Data: Export data', exkey: 'read' },
];

/** What a key's Kraken permissions amount to. */
export interface MappedPermissions {
  permissions: Permission[];
  unmappedPermissions: string[];
  withdrawEnabled: boolean;
}

/** Maps GetApiKeyInfo's permission strings to exkey's, reporting unknown and unnamed ones verbatim. */
export function fromKrakenPermissions(granted: readonly string[]): MappedPermissions {
  const mapped = new Set<Permission>();
  const unmapped: string[] = [];
  for (const name of granted) {
    const known = KRAKEN_PERMISSIONS.find((p) => p.kraken === name);
    if (known?.exkey === undefined) unmapped.push(name);
    else mapped.add(known.exkey);
  }
  return {
    permissions: PERMISSIONS.filter((p) => mapped.has(p)),
    unmappedPermissions: unmapped.sort(),
    withdrawEnabled: granted.includes('withdraw-funds'),
  };
}

/**
 * The Kraken permissions a human must tick for `requested` (Kraken spot: `trade` means spot
 * trading). Fund-moving ones are included only if asked for: refusing them is the caller's call.
 */
export function krakenPermissionsFor(requested: readonly Permission[]): KrakenPermission[] {
  const wanted = new Set<Permission>(requested.map((p) => (p === 'trade' ? 'trade:spot' : p)));
  return KRAKEN_PERMISSIONS.filter((p) => p.exkey !== undefined && wanted.has(p.exkey));
}
