// The Bybit endpoints the simulator serves, answering with Bybit's result shapes and retCodes.
// Each handler gets the authenticated caller and parsed parameters and returns a RetResult;
// authentication, rate limits and faults happen before, in the server.

import { isIP } from 'node:net';
import type { BybitPermissionMap } from '../permissions.ts';
import { RET, fail, isoSeconds, ok, type RetResult } from './envelope.ts';
import { addSubKey, isSubUid, subKeysOf, findKey, type Account, type SimKey } from './state.ts';

/** Inputs of one authenticated call. */
export interface CallContext {
  account: Account;
  caller: SimKey;
  query: URLSearchParams;
  body: Record<string, unknown>;
  nowMs: number;
}

/** One private endpoint. */
export interface PrivateRoute {
  /** Only master keys may call it (a sub key gets 10005). */
  masterOnly: boolean;
  handle(ctx: CallContext): RetResult;
}

/** Private routes by "METHOD path". */
export const PRIVATE_ROUTES: Readonly<Record<string, PrivateRoute>> = {
  'GET /v5/user/query-api': { masterOnly: false, handle: queryApi },
  'POST /v5/user/create-sub-api': { masterOnly: true, handle: createSubApi },
  'POST /v5/user/delete-sub-api': { masterOnly: false, handle: deleteSubApi },
  'GET /v5/user/sub-apikeys': { masterOnly: true, handle: listSubApiKeys },
};

/** GET /v5/market/time (public). */
export function marketTime(nowMs: number): RetResult {
  return ok({ timeSecond: String(Math.floor(nowMs / 1000)), timeNano: `${nowMs}000000` }, 'OK');
}

// Sub-account key permissions Bybit accepts on create; Wallet "Withdraw" is master-only.
const SUB_KEY_VALUES: Readonly<Record<string, readonly string[]>> = {
  ContractTrade: ['Order', 'Position'],
  Spot: ['SpotTrade'],
  Wallet: ['AccountTransfer', 'SubMemberTransferList'],
  Options: ['OptionsTrade'],
  Derivatives: ['DerivativesTrade'],
  CopyTrading: ['CopyTrading'],
  Exchange: ['ExchangeHistory'],
  Earn: ['Earn'],
};

// Every category Bybit lists in a key description, empty when not granted.
const ALL_CATEGORIES = [
  'ContractTrade', 'Spot', 'Wallet', 'Options', 'Derivatives', 'CopyTrading', 'BlockTrade', 'Exchange', 'NFT', 'Affiliate', 'Earn',
];

/** Managing keys needs a master key holding Account Transfer, Subaccount Transfer or Withdrawal. */
export function canManageKeys(key: SimKey): boolean {
  const wallet = key.permissions.Wallet ?? [];
  const walletGrant = ['AccountTransfer', 'SubMemberTransfer', 'SubMemberTransferList', 'Withdraw'].some((p) => wallet.includes(p));
  return key.readOnly === 0 && walletGrant;
}

function queryApi({ account, caller, nowMs }: CallContext): RetResult {
  return ok({
    ...describeKey(caller, nowMs),
    secret: '',
    readOnly: caller.readOnly,
    unified: 0,
    uta: 1,
    userID: Number(caller.uid),
    inviterID: 0,
    vipLevel: 'No VIP',
    mktMakerLevel: '0',
    affiliateID: 0,
    rsaPublicKey: '',
    isMaster: caller.isMaster,
    parentUid: caller.isMaster ? '0' : account.masterUid,
    kycLevel: 'LEVEL_DEFAULT',
    kycRegion: '',
  });
}

function createSubApi({ account, caller, body, nowMs }: CallContext): RetResult {
  if (!canManageKeys(caller)) return fail(RET.permission);
  const subuid = body.subuid;
  if (typeof subuid !== 'number' || !Number.isSafeInteger(subuid) || !isSubUid(account, String(subuid))) {
    return fail(RET.params, 'subuid is not a sub account of this master');
  }
  if (body.readOnly !== 0 && body.readOnly !== 1) return fail(RET.params, 'readOnly must be 0 or 1');
  const permissions = readPermissions(body.permissions);
  if (typeof permissions === 'string') return fail(RET.params, permissions);
  const ips = readIps(body.ips);
  if (typeof ips === 'string') return fail(RET.params, ips);
  if (body.note !== undefined && typeof body.note !== 'string') return fail(RET.params, 'note must be a string');
  const key = addSubKey(account, { uid: String(subuid), readOnly: body.readOnly, permissions, ips, note: body.note ?? '' }, nowMs);
  return ok({
    id: key.id,
    note: key.note,
    apiKey: key.apiKey,
    readOnly: key.readOnly,
    secret: key.secret,
    permissions: fullPermissions(key.permissions),
  });
}

function deleteSubApi({ account, caller, body }: CallContext): RetResult {
  const apikey = body.apikey;
  if (apikey !== undefined && typeof apikey !== 'string') return fail(RET.params, 'apikey must be a string');
  if (!caller.isMaster) {
    // A sub key deletes itself and must not name a key.
    if (apikey !== undefined) return fail(RET.params, 'apikey cannot be passed when a sub api key calls this endpoint');
    if (!canManageKeys(caller)) return fail(RET.permission);
    caller.deleted = true;
    return ok({});
  }
  if (!canManageKeys(caller)) return fail(RET.permission);
  if (apikey === undefined || apikey === '') return fail(RET.params, 'apikey is required when the master api key calls this endpoint');
  const target = findKey(account, apikey);
  // Bybit does not document this case; the simulator calls it a parameter error.
  if (!target || target.isMaster) return fail(RET.params, 'api key not found');
  target.deleted = true;
  return ok({});
}

function listSubApiKeys({ account, query, nowMs }: CallContext): RetResult {
  const uid = query.get('subMemberId') ?? '';
  if (!isSubUid(account, uid)) return fail(RET.params, 'subMemberId is not a sub account of this master');
  const limit = Number(query.get('limit') ?? '20');
  if (!Number.isInteger(limit) || limit < 1 || limit > 20) return fail(RET.params, 'limit must be within [1, 20]');
  const cursor = query.get('cursor') ?? '';
  const keys = subKeysOf(account, uid).filter((k) => cursor === '' || Number(k.id) > Number(cursor));
  const page = keys.slice(0, limit);
  const last = page.at(-1);
  return ok({
    result: page.map((k) => ({
      ...describeKey(k, nowMs),
      status: keyStatus(k, nowMs),
      secret: '******',
      readOnly: k.readOnly === 1,
      flag: 'hmac',
    })),
    nextPageCursor: keys.length > limit && last ? last.id : '',
  });
}

function describeKey(key: SimKey, nowMs: number): Record<string, unknown> {
  const expires = key.expiresAtMs;
  return {
    id: key.id,
    note: key.note,
    apiKey: key.apiKey,
    permissions: fullPermissions(key.permissions),
    ips: key.ips.length === 0 ? ['*'] : [...key.ips],
    type: 1,
    deadlineDay: expires === undefined ? 0 : Math.max(0, Math.ceil((expires - nowMs) / 86_400_000)),
    expiredAt: expires === undefined ? '' : isoSeconds(expires),
    createdAt: isoSeconds(key.createdAtMs),
  };
}

// 1 permanent, 2 expired, 3 valid, 4 expires within 7 days.
function keyStatus(key: SimKey, nowMs: number): number {
  if (key.expiresAtMs === undefined) return 1;
  if (key.expiresAtMs <= nowMs) return 2;
  return key.expiresAtMs - nowMs < 7 * 86_400_000 ? 4 : 3;
}

function fullPermissions(granted: BybitPermissionMap): BybitPermissionMap {
  const out: BybitPermissionMap = {};
  for (const category of ALL_CATEGORIES) out[category] = [...(granted[category] ?? [])];
  return out;
}

/** Validates create-sub-api's permissions; returns an error message when Bybit would refuse. */
function readPermissions(value: unknown): BybitPermissionMap | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'permissions must be an object';
  const map: BybitPermissionMap = {};
  for (const [category, values] of Object.entries(value as Record<string, unknown>)) {
    const allowed = SUB_KEY_VALUES[category];
    if (!allowed || !Array.isArray(values)) return `unknown permission category ${category}`;
    const list: unknown[] = values;
    const bad = list.find((v) => typeof v !== 'string' || !allowed.includes(v));
    if (bad !== undefined) return `permission ${category}:${JSON.stringify(bad)} cannot be granted to a sub api key`;
    if (list.length > 0) map[category] = list as string[];
  }
  return Object.keys(map).length === 0 ? 'at least one permission type must be passed' : map;
}

/** Parses create-sub-api's `ips` ("ip1,ip2"; absent or "*" means unbound). */
function readIps(value: unknown): string[] | string {
  if (value === undefined || value === '*' || value === '') return [];
  if (typeof value !== 'string') return 'ips must be a comma-separated string';
  const ips = value.split(',').map((ip) => ip.trim());
  const bad = ips.find((ip) => isIP(ip) === 0);
  return bad === undefined ? ips : `invalid ip ${bad}`;
}
