// exkey's permission vocabulary ↔ Deribit's key scope (`max_scope`), both ways, from ONE table.
// Deribit scopes are areas with a level: account|trade|wallet|block_trade|block_rfq :
// none|read|read_write (Deribit API v2.1.1 "Access scope"; private/create_api_key `max_scope`).
// What the areas allow decides the mapping:
// - account:read_write manages API keys and sub-accounts, so exkey never grants it; every key gets
//   account:read (account summary, and the key's own entry in private/list_api_keys for validation).
// - trade:read_write trades every instrument kind: Deribit cannot scope trading to spot,
//   derivatives or options alone, so only `trade` (all three) can be expressed.
// - wallet:read_write both withdraws and transfers ("allows to withdraw, generate new deposit
//   address, etc."; submit_transfer_* need it too), so `withdraw` and `transfer` come together or not at all.

import { PERMISSIONS, type Permission } from '../types.ts';
import { deribitInvalidRequest } from './errors.ts';

/** A Deribit scope level. */
export type ScopeLevel = 'none' | 'read' | 'read_write';

/** The areas a key's max_scope names, in the order exkey writes them. */
export const SCOPE_AREAS = ['account', 'trade', 'wallet', 'block_trade', 'block_rfq'] as const;
export type ScopeArea = (typeof SCOPE_AREAS)[number];

/** One row: the exkey permissions a Deribit scope entry stands for (empty: implied by `read`). */
export interface ScopeRow {
  area: ScopeArea;
  level: ScopeLevel;
  permissions: readonly Permission[];
}

/**
 * THE mapping. Reading a key: each `area:level` it holds maps to the row's permissions; anything
 * not in this table (block trades, account:read_write, unknown areas) is reported unmapped.
 * Creating a key: the rows whose permissions were all asked for, at their highest level per area.
 */
export const DERIBIT_SCOPE_TABLE: readonly ScopeRow[] = [
  { area: 'account', level: 'read', permissions: ['read'] },
  { area: 'trade', level: 'read', permissions: ['read'] },
  { area: 'wallet', level: 'read', permissions: ['read'] },
  { area: 'trade', level: 'read_write', permissions: ['trade'] },
  { area: 'wallet', level: 'read_write', permissions: ['withdraw', 'transfer'] },
];

/** The reverse mapping, as KeyInfo reports it. */
export interface MappedPermissions {
  permissions: Permission[];
  unmappedPermissions: string[];
  withdrawEnabled: boolean;
}

const TRADE_PRODUCTS: readonly Permission[] = ['trade:spot', 'trade:derivatives', 'trade:options'];

/**
 * The max_scope string for exkey permissions (`read` is implied), e.g.
 * "account:read trade:read_write wallet:read". Throws an invalid-request ExchangeError naming what
 * Deribit cannot express, rather than granting more than was asked.
 */
export function toDeribitMaxScope(requested: readonly Permission[]): string {
  const asked = new Set<Permission>(['read', ...requested]);
  // All three products are exactly what trade:read_write grants.
  if (TRADE_PRODUCTS.every((p) => asked.has(p))) {
    TRADE_PRODUCTS.forEach((p) => asked.delete(p));
    asked.add('trade');
  }
  refuseInexpressible(asked);
  const levels = new Map<ScopeArea, ScopeLevel>();
  for (const row of DERIBIT_SCOPE_TABLE) {
    if (row.permissions.every((p) => asked.has(p)) && rank(row.level) > rank(levels.get(row.area) ?? 'none')) {
      levels.set(row.area, row.level);
    }
  }
  return SCOPE_AREAS.filter((a) => levels.has(a)).map((a) => `${a}:${levels.get(a) ?? 'none'}`).join(' ');
}

/**
 * Maps a scope string (a key's max_scope, or a token's scope) back to exkey permissions. Token
 * words that are not area grants (connection, mainaccount, session:…, expires:…, ip:…) are ignored.
 */
export function fromDeribitScope(scope: string): MappedPermissions {
  const granted = new Set<Permission>();
  const unmapped: string[] = [];
  for (const entry of parseScope(scope)) {
    if (entry.level === 'none') continue;
    const row = DERIBIT_SCOPE_TABLE.find((r) => r.area === entry.area && r.level === entry.level);
    if (row) row.permissions.forEach((p) => granted.add(p));
    else unmapped.push(`${entry.area}:${entry.level}`);
  }
  return {
    permissions: PERMISSIONS.filter((p) => granted.has(p)),
    unmappedPermissions: unmapped.sort(),
    withdrawEnabled: granted.has('withdraw'),
  };
}

/** One `area:level` entry of a scope string. */
export interface ScopeEntry {
  area: string;
  level: string;
}

// Words with a value that are not grants (Deribit "Access scope": session:name, expires:NUMBER, ip:ADDR).
const NOT_GRANTS = new Set(['session', 'expires', 'ip']);

/** The `area:level` grants in a scope string, as written (whitespace separated). */
export function parseScope(scope: string): ScopeEntry[] {
  return scope
    .split(/\s+/)
    .filter((word) => word.includes(':'))
    .map((word) => {
      const at = word.indexOf(':');
      return { area: word.slice(0, at), level: word.slice(at + 1) };
    })
    .filter((e) => !NOT_GRANTS.has(e.area));
}

function refuseInexpressible(asked: ReadonlySet<Permission>): void {
  const products = TRADE_PRODUCTS.filter((p) => asked.has(p));
  if (products.length > 0) {
    throw deribitInvalidRequest(
      `cannot grant ${products.join(', ')} alone: a Deribit key's trade scope covers every instrument kind; ask for "trade" instead`,
    );
  }
  const funds = (['withdraw', 'transfer'] as const).filter((p) => asked.has(p));
  if (funds.length === 1) {
    throw deribitInvalidRequest(
      `cannot grant "${funds[0] ?? ''}" alone: Deribit's wallet:read_write allows both withdrawals and transfers; ask for both (with allowWithdraw) or neither`,
    );
  }
}

function rank(level: ScopeLevel): number {
  return level === 'read_write' ? 2 : level === 'read' ? 1 : 0;
}
