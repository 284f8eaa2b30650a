// Whether what the exchange reports about a key matches what the spec asked for. Pure. Used right
// after registration (a mismatch rejects the new key) and, later, by drift detection.
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import type { KeyInfo, Permission } from '../../exchanges/types.ts';
import { permissionsOf } from './spec.ts';

const TRADE_PRODUCTS: readonly Permission[] = ['trade:spot', 'trade:derivatives', 'trade:options'];

/** Expands `trade` into its products and drops duplicates, so both sides compare like for like. */
export function normalisePermissions(permissions: readonly Permission[]): Permission[] {
  const set = new Set<Permission>(['read']);
  for (const p of permissions) {
    if (p === 'trade') TRADE_PRODUCTS.forEach((t) => set.add(t));
    else set.add(p);
  }
  return [...set].sort();
}

/** Problems with the key as the exchange sees it; empty when it matches the spec. */
export function keyInfoProblems(key: ExchangeKey, info: KeyInfo): string[] {
  const problems: string[] = [];
  const allowWithdraw = key.spec.allowWithdraw === true && (key.spec.permissions ?? []).includes('withdraw');
  if (info.withdrawEnabled && !allowWithdraw) problems.push('withdrawal is enabled at the exchange but not allowed by the spec');
  const want = normalisePermissions(permissionsOf(key));
  const have = normalisePermissions(info.permissions);
  const missing = want.filter((p) => !have.includes(p));
  const extra = have.filter((p) => !want.includes(p));
  if (missing.length > 0) problems.push(`permissions missing at the exchange: ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`permissions granted at the exchange but not in the spec: ${extra.join(', ')}`);
  if (info.unmappedPermissions.length > 0) {
    problems.push(`permissions exkey does not manage are granted: ${info.unmappedPermissions.join(', ')}`);
  }
  const wantIps = [...(key.spec.ipAllowlist ?? [])].map(normaliseIp).sort();
  const haveIps = [...info.ipAllowlist].map(normaliseIp).sort();
  if (wantIps.join(',') !== haveIps.join(',')) {
    problems.push(`IP allowlist at the exchange is [${haveIps.join(', ')}], the spec asks for [${wantIps.join(', ')}]`);
  }
  return problems;
}

// A single address and its /32 (or /128) range mean the same binding.
function normaliseIp(entry: string): string {
  const trimmed = entry.trim().toLowerCase();
  if (trimmed.endsWith('/32') && !trimmed.includes(':')) return trimmed.slice(0, -3);
  if (trimmed.endsWith('/128')) return trimmed.slice(0, -4);
  return trimmed;
}
