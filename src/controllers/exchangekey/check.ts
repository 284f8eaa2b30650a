// Whether what the exchange reports about a key matches what the spec asked for. Pure. Used right
// after registration (a mismatch rejects the new key) and, later, by drift detection.
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import { FUND_MOVING_PERMISSIONS, type KeyInfo, type Permission } from '../../exchanges/types.ts';
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

/** What kind of difference a finding is; fund-moving ones are emergencies. */
export type KeyInfoProblemKind = 'WithdrawEnabled' | 'PermissionsChanged' | 'IpAllowlistChanged';

/** One difference between the key at the exchange and the spec. */
export interface KeyInfoProblem {
  kind: KeyInfoProblemKind;
  message: string;
}

/** Problems with the key as the exchange sees it; empty when it matches the spec. */
export function keyInfoProblems(key: ExchangeKey, info: KeyInfo): string[] {
  return keyInfoFindings(key, info).map((p) => p.message);
}

/** keyInfoProblems with each problem's kind, most severe first. */
export function keyInfoFindings(key: ExchangeKey, info: KeyInfo): KeyInfoProblem[] {
  const problems: KeyInfoProblem[] = [];
  const add = (kind: KeyInfoProblemKind, message: string): void => { problems.push({ kind, message }); };
  const allowWithdraw = key.spec.allowWithdraw === true && (key.spec.permissions ?? []).includes('withdraw');
  if (info.withdrawEnabled && !allowWithdraw) add('WithdrawEnabled', 'withdrawal is enabled at the exchange but not allowed by the spec');
  const want = normalisePermissions(permissionsOf(key));
  const have = normalisePermissions(info.permissions);
  const missing = want.filter((p) => !have.includes(p));
  const extra = have.filter((p) => !want.includes(p));
  // Fund-moving permissions the spec did not ask for are as urgent as withdrawal itself.
  const extraFunds = extra.filter((p) => FUND_MOVING_PERMISSIONS.includes(p));
  const extraOther = extra.filter((p) => !FUND_MOVING_PERMISSIONS.includes(p));
  if (extraFunds.length > 0) add('WithdrawEnabled', `fund-moving permissions granted at the exchange but not in the spec: ${extraFunds.join(', ')}`);
  if (missing.length > 0) add('PermissionsChanged', `permissions missing at the exchange: ${missing.join(', ')}`);
  if (extraOther.length > 0) add('PermissionsChanged', `permissions granted at the exchange but not in the spec: ${extraOther.join(', ')}`);
  if (info.unmappedPermissions.length > 0) {
    add('PermissionsChanged', `permissions exkey does not manage are granted: ${info.unmappedPermissions.join(', ')}`);
  }
  const ipProblem = ipAllowlistProblem(key.spec.ipAllowlist ?? [], info);
  if (ipProblem) add('IpAllowlistChanged', ipProblem);
  return problems;
}

function ipAllowlistProblem(spec: readonly string[], info: KeyInfo): string | undefined {
  if (info.ipAllowlistUnknown === true) return undefined;
  const wantIps = spec.map(normaliseIp).sort();
  // The venue only says "restricted": a restriction must exist exactly when the spec asks for one.
  if (info.ipRestrictedUnlisted === true) {
    return wantIps.length === 0 ? 'the key is IP-restricted at the exchange, the spec asks for no IP allowlist' : undefined;
  }
  const haveIps = info.ipAllowlist.map(normaliseIp).sort();
  return wantIps.join(',') === haveIps.join(',') ? undefined : `IP allowlist at the exchange is [${haveIps.join(', ')}], the spec asks for [${wantIps.join(', ')}]`;
}

// A single address and its /32 (or /128) range mean the same binding.
function normaliseIp(entry: string): string {
  const trimmed = entry.trim().toLowerCase();
  if (trimmed.endsWith('/32') && !trimmed.includes(':')) return trimmed.slice(0, -3);
  if (trimmed.endsWith('/128')) return trimmed.slice(0, -4);
  return trimmed;
}
