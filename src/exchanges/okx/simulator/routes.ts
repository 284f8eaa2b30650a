// The OKX endpoints the simulator serves, answering with OKX's data shapes and codes. Each handler
// gets the authenticated caller and parsed parameters and returns an OkxResult; authentication,
// rate limits and faults happen before, in the server. Shapes: OKX API v5 docs, "Sub-account"
// (create / query / reset / delete the API key of a sub-account) and "Trading Account → Get
// account configuration".

import type { SimCall } from '../../simulator-kit/http-server.ts';
import { MAX_BOUND_IPS, parseIpEntry } from '../ip.ts';
import { isValidOkxPassphrase } from '../passphrase.ts';
import { CODE, fail, ok, type OkxResult } from './envelope.ts';
import { MAX_KEYS_PER_ACCOUNT, addSubKey, subAccountUid, subKeysOf, type Account, type SimKey } from './state.ts';

/** Inputs of one authenticated call. */
export type CallContext = SimCall<Account, SimKey>;

/** One private endpoint. */
export interface PrivateRoute {
  method: 'GET' | 'POST';
  /** Only master keys may call it (59500); writes also need an IP-bound master with Trade. */
  access: 'any' | 'master-read' | 'master-write';
  handle(ctx: CallContext): OkxResult;
}

/** Private routes by path (OKX answers 50115 for a known path with the wrong method). */
export const PRIVATE_ROUTES: Readonly<Record<string, PrivateRoute>> = {
  '/api/v5/account/config': { method: 'GET', access: 'any', handle: accountConfig },
  '/api/v5/users/subaccount/apikey': { method: 'POST', access: 'master-write', handle: createApiKey },
  '/api/v5/users/subaccount/modify-apikey': { method: 'POST', access: 'master-write', handle: modifyApiKey },
  '/api/v5/users/subaccount/delete-apikey': { method: 'POST', access: 'master-write', handle: deleteApiKey },
};

/** GET routes sharing a path with a POST route. */
export const PRIVATE_GET_ROUTES: Readonly<Record<string, PrivateRoute>> = {
  '/api/v5/users/subaccount/apikey': { method: 'GET', access: 'master-read', handle: listApiKeys },
};

/** The route for a method and path: the route, 'wrong-method', or undefined when unknown. */
export function findRoute(method: string, path: string): PrivateRoute | 'wrong-method' | undefined {
  const route = method === 'GET' ? PRIVATE_GET_ROUTES[path] ?? PRIVATE_ROUTES[path] : PRIVATE_ROUTES[path];
  if (route && route.method === method) return route;
  return route || PRIVATE_GET_ROUTES[path] ? 'wrong-method' : undefined;
}

/** The refusal for a caller that may not use a route; undefined when it may. */
export function accessRefusal(route: PrivateRoute, caller: SimKey): OkxResult | undefined {
  if (route.access === 'any') return undefined;
  if (!caller.isMaster) return fail(CODE.mainOnly);
  if (route.access === 'master-read') return undefined;
  if (caller.ips.length === 0) return fail(CODE.ipRequired);
  return caller.perm.includes('trade') ? undefined : fail(CODE.noPermission);
}

/** GET /api/v5/public/time (public). */
export function publicTime(nowMs: number): OkxResult {
  return ok([{ ts: String(nowMs) }]);
}

function accountConfig({ account, caller }: CallContext): OkxResult {
  return ok([{
    uid: caller.uid, mainUid: account.masterUid, label: caller.label, ip: caller.ips.join(','), perm: caller.perm.join(','),
    acctLv: '2', posMode: 'net_mode', autoLoan: false, greeksType: 'PA', level: 'Lv1', levelTmp: '',
    ctIsoMode: 'automatic', mgnIsoMode: 'automatic', roleType: '0', traderInsts: [], spotRoleType: '0', spotTraderInsts: [],
    opAuth: '0', kycLv: '2', enableSpotBorrow: false, spotBorrowAutoRepay: false, type: '0', settleCcy: 'USDT', settleCcyList: ['USDT'],
  }]);
}

function createApiKey({ account, body, nowMs }: CallContext): OkxResult {
  const required = requireStrings(body, ['subAcct', 'label', 'passphrase']);
  if (typeof required === 'object') return required;
  const subAcct = String(body.subAcct);
  if (subAccountUid(account, subAcct) === undefined) return fail(CODE.subAccountMissing);
  const passphrase = String(body.passphrase);
  if (!isValidOkxPassphrase(passphrase)) return fail(CODE.passphraseFormat);
  const perm = readPerm(body.perm ?? 'read_only');
  if (!Array.isArray(perm)) return perm;
  const ips = readIps(body.ip ?? '');
  if (!Array.isArray(ips)) return ips;
  const live = subKeysOf(account, subAcct, nowMs);
  const label = String(body.label);
  if (live.some((k) => k.label === label)) return fail(CODE.labelTaken);
  if (live.length >= MAX_KEYS_PER_ACCOUNT) return fail(CODE.tooManyKeys);
  const key = addSubKey(account, { subAcct, label, passphrase, perm, ips }, nowMs);
  return ok([{ ...describe(key), secretKey: key.secretKey, passphrase }]);
}

function listApiKeys({ account, query, nowMs }: CallContext): OkxResult {
  const subAcct = query.get('subAcct') ?? '';
  if (subAcct === '') return fail(CODE.paramEmpty, 'subAcct');
  if (subAccountUid(account, subAcct) === undefined) return fail(CODE.subAccountMissing);
  const apiKey = query.get('apiKey');
  const keys = subKeysOf(account, subAcct, nowMs).filter((k) => apiKey === null || k.apiKey === apiKey);
  return ok(keys.map((k) => {
    const { subAcct: _omitted, ...entry } = describe(k);
    return entry;
  }));
}

function modifyApiKey(ctx: CallContext): OkxResult {
  const found = targetKey(ctx);
  if (!('apiKey' in found)) return found;
  const { body } = ctx;
  const perm = body.perm === undefined ? found.perm : readPerm(body.perm);
  if (!Array.isArray(perm)) return perm;
  const ips = body.ip === undefined ? found.ips : readIps(body.ip);
  if (!Array.isArray(ips)) return ips;
  if (body.label !== undefined && typeof body.label !== 'string') return fail(CODE.paramError, 'label');
  found.perm = perm;
  found.ips = ips;
  if (typeof body.label === 'string') found.label = body.label;
  return ok([describe(found)]);
}

function deleteApiKey(ctx: CallContext): OkxResult {
  const found = targetKey(ctx);
  if (!('apiKey' in found)) return found;
  found.deleted = true;
  return ok([{ subAcct: found.subAcct }]);
}

// The live key named by body {subAcct, apiKey}, or the refusal.
function targetKey({ account, body, nowMs }: CallContext): SimKey | OkxResult {
  const required = requireStrings(body, ['subAcct', 'apiKey']);
  if (typeof required === 'object') return required;
  const subAcct = String(body.subAcct);
  if (subAccountUid(account, subAcct) === undefined) return fail(CODE.subAccountMissing);
  return subKeysOf(account, subAcct, nowMs).find((k) => k.apiKey === body.apiKey) ?? fail(CODE.keyMissing);
}

function describe(key: SimKey): Record<string, string> {
  return {
    subAcct: key.subAcct ?? '', label: key.label, apiKey: key.apiKey, perm: key.perm.join(','), ip: key.ips.join(','), ts: String(key.createdAtMs),
  };
}

// true when every field is a non-empty string; else OKX's 50014 (absent) or 51000 (wrong type).
function requireStrings(body: Record<string, unknown>, names: readonly string[]): true | OkxResult {
  for (const name of names) {
    const value = body[name];
    if (value === undefined || value === '') return fail(CODE.paramEmpty, name);
    if (typeof value !== 'string') return fail(CODE.paramError, name);
  }
  return true;
}

// Sub-account keys take read_only and trade, comma-separated; every key can read.
function readPerm(value: unknown): string[] | OkxResult {
  if (typeof value !== 'string') return fail(CODE.paramError, 'perm');
  const values = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (values.includes('withdraw')) return fail(CODE.noWithdraw);
  if (values.length === 0 || values.some((v) => v !== 'read_only' && v !== 'trade')) return fail(CODE.paramError, 'perm');
  return values.includes('trade') ? ['read_only', 'trade'] : ['read_only'];
}

// "ip1,ip2", addresses or segments, at most 20; "" binds none.
function readIps(value: unknown): string[] | OkxResult {
  if (typeof value !== 'string') return fail(CODE.paramError, 'ip');
  const ips = value.split(',').map((ip) => ip.trim()).filter((ip) => ip !== '');
  if (ips.length > MAX_BOUND_IPS) return fail(CODE.tooManyIps);
  return ips.every((ip) => parseIpEntry(ip) !== undefined) ? ips : fail(CODE.paramError, 'ip');
}
