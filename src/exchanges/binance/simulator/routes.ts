// The Binance endpoints the simulator serves, answering with Binance's shapes and codes. Each
// handler gets the authenticated caller and the request's parameters and returns a SimResult;
// faults, limits and authentication happen before, in the server. Shapes follow the "API
// Management" pages of Binance's sub-account docs and "Get API Key Permission" (wallet docs).

import { publicKeyType } from '../signing.ts';
import type { CallContext, SignedRoute } from './context.ts';
import { targetKey } from './context.ts';
import { CODE, fail, invalid, missing, ok, type SimFailure, type SimResult } from './envelope.ts';
import { IP_RESTRICTION_ROUTES } from './ip-routes.ts';
import { failed, ipList, optionalBoolean, optionalInt, requiredString } from './params.ts';
import {
  addSubKey, noFlags, subAccountUid, subKeysOf, tradingExpiresAtMs, type KeyFlags, type NewSubKey, type SimKey,
} from './state.ts';

const MASTER_UID_3000 = { masterOnly: true, weight: { per: 'uid', cost: 3000 } } as const;

/** Signed routes by "METHOD path". Weights are the docs' "Request Weight". */
export const SIGNED_ROUTES: Readonly<Record<string, SignedRoute>> = {
  'GET /sapi/v1/account/apiRestrictions': { masterOnly: false, weight: { per: 'ip', cost: 1 }, handle: apiRestrictions },
  'POST /sapi/v1/sub-account/subAccountApi': { ...MASTER_UID_3000, handle: (ctx) => createKey(ctx, 1) },
  'POST /sapi/v2/sub-account/subAccountApi': { ...MASTER_UID_3000, handle: (ctx) => createKey(ctx, 2) },
  'GET /sapi/v1/sub-account/subAccountApi': { ...MASTER_UID_3000, handle: listKeys },
  'DELETE /sapi/v1/sub-account/subAccountApi': { ...MASTER_UID_3000, handle: deleteKey },
  ...IP_RESTRICTION_ROUTES,
};

/** GET /api/v3/time (public). */
export function serverTime(nowMs: number): SimResult {
  return ok({ serverTime: nowMs });
}

function apiRestrictions({ caller, nowMs }: CallContext): SimResult {
  const expiresAt = tradingExpiresAtMs(caller);
  const tradingLapsed = expiresAt !== undefined && nowMs >= expiresAt;
  return ok({
    ipRestrict: caller.ipRestrict,
    createTime: caller.createdAtMs,
    enableReading: true,
    enableSpotAndMarginTrading: caller.flags.canTrade && !tradingLapsed,
    enableWithdrawals: caller.flags.enableWithdrawals,
    enableInternalTransfer: caller.flags.enableInternalTransfer,
    enableMargin: caller.flags.canMarginLoanRepay,
    enableFutures: caller.flags.canFuturesTrade,
    permitsUniversalTransfer: caller.flags.canUniversalTransfer,
    enableVanillaOptions: caller.flags.canVanillaOptions,
    enableFixApiTrade: caller.flags.canFixApiTrading,
    enableFixReadOnly: caller.flags.canFixApiReading,
    enablePortfolioMarginTrading: false,
    ...(expiresAt === undefined ? {} : { tradingAuthorityExpirationTime: expiresAt }),
  });
}

// The create call's flags: "default false" when not sent; FIX flags exist only in v2.
const CREATE_FLAGS: ReadonlyArray<keyof KeyFlags> = ['canTrade', 'canMarginLoanRepay', 'canFuturesTrade', 'canUniversalTransfer', 'canVanillaOptions'];
const V2_FLAGS: ReadonlyArray<keyof KeyFlags> = ['canFixApiTrading', 'canFixApiReading'];

function createKey(ctx: CallContext, version: 1 | 2): SimResult {
  const request = readCreate(ctx, version);
  if ('failure' in request) return request.failure;
  const key = addSubKey(ctx.account, request.uid, request.key, ctx.nowMs);
  return ok({
    apiName: key.apiName,
    apiKey: key.apiKey,
    // Keys registered with a public key have no secret; the simulator answers ''.
    secretKey: key.secret ?? '',
    ...Object.fromEntries(flagsOf(version).map((f) => [f, key.flags[f]])),
    status: request.status,
    ipList: [...key.ips],
  });
}

const flagsOf = (version: 1 | 2): ReadonlyArray<keyof KeyFlags> => (version === 2 ? [...CREATE_FLAGS, ...V2_FLAGS] : CREATE_FLAGS);

// Every check of the create call, in parameter order; the key to add, or Binance's refusal.
function readCreate(ctx: CallContext, version: 1 | 2): { uid: string; status: number; key: NewSubKey } | { failure: SimFailure } {
  const { params } = ctx;
  const email = requiredString(params, 'email');
  if (failed(email)) return email;
  const apiName = requiredString(params, 'apiName');
  if (failed(apiName)) return apiName;
  const uid = subAccountUid(ctx.account, email.value);
  if (uid === undefined) return { failure: invalid('email', 'Not a sub-account of this master account.') };
  const flags = readFlags(params, flagsOf(version));
  if ('failure' in flags) return flags;
  const restriction = readRestriction(params);
  if ('failure' in restriction) return restriction;
  const publicKey = readPublicKey(ctx, version);
  if ('failure' in publicKey) return publicKey;
  if ((flags.canFixApiTrading || flags.canFixApiReading) && publicKey.type !== 'ed25519') return { failure: fail(CODE.unsupported) };
  const key: NewSubKey = {
    email: email.value, apiName: apiName.value, flags, ipRestrict: restriction.status !== 1,
    ips: restriction.ips, publicKeyPem: publicKey.pem, keyType: publicKey.type,
  };
  return { uid, status: restriction.status, key };
}

// Create flags are "default false" when not sent.
function readFlags(params: URLSearchParams, names: ReadonlyArray<keyof KeyFlags>): KeyFlags | { failure: SimFailure } {
  const flags = noFlags();
  for (const name of names) {
    const read = optionalBoolean(params, name, false);
    if (failed(read)) return read;
    flags[name] = read.value;
  }
  return flags;
}

// status 1 = unrestricted, 2 = trusted IPs (ipAddress required), 3 = third party (thirdPartyName required).
function readRestriction(params: URLSearchParams): { status: number; ips: string[] } | { failure: SimFailure } {
  const status = requiredString(params, 'status');
  if (failed(status)) return status;
  if (!['1', '2', '3'].includes(status.value)) return { failure: invalid('status') };
  const ips = ipList(params, 'ipAddress');
  if (failed(ips)) return ips;
  if (status.value === '2' && ips.value === undefined) return { failure: missing('ipAddress') };
  if (status.value === '3' && (params.get('thirdPartyName') ?? '') === '') return { failure: missing('thirdPartyName') };
  return { status: Number(status.value), ips: status.value === '2' ? ips.value ?? [] : [] };
}

// v2: "RSA or Ed25519 public key; must be in the request body, the URL query string is refused".
// v1: "Ed25519 public key (optional, for Ed25519 type API Key)".
function readPublicKey(ctx: CallContext, version: 1 | 2): { pem: string | undefined; type: SimKey['keyType'] } | { failure: SimFailure } {
  const pem = ctx.params.get('publicKey');
  if (pem === null || pem.trim() === '') return { pem: undefined, type: 'hmac' };
  if (version === 2 && new URLSearchParams(ctx.rawQuery).has('publicKey')) {
    return { failure: invalid('publicKey', 'The public key must be sent in the request body.') };
  }
  const type = publicKeyType(pem);
  if (type === undefined || (version === 1 && type !== 'ed25519')) return { failure: invalid('publicKey') };
  return { pem, type };
}

function listKeys(ctx: CallContext): SimResult {
  const email = requiredString(ctx.params, 'email');
  if (failed(email)) return email.failure;
  if (subAccountUid(ctx.account, email.value) === undefined) return invalid('email', 'Not a sub-account of this master account.');
  const page = optionalInt(ctx.params, 'page', 1, Number.MAX_SAFE_INTEGER);
  if (failed(page)) return page.failure;
  const size = optionalInt(ctx.params, 'size', 30, 100);
  if (failed(size)) return size.failure;
  const only = ctx.params.get('subAccountApiKey');
  const keys = subKeysOf(ctx.account, email.value).filter((k) => only === null || only === '' || k.apiKey === only);
  const slice = keys.slice((page.value - 1) * size.value, page.value * size.value);
  return ok({
    total: keys.length,
    list: slice.map((k) => ({
      email: k.email,
      apiName: k.apiName,
      apikey: k.apiKey,
      ...Object.fromEntries(CREATE_FLAGS.map((f) => [f, k.flags[f]])),
      timestamp: k.createdAtMs,
    })),
  });
}

function deleteKey(ctx: CallContext): SimResult {
  const target = targetKey(ctx);
  if ('failure' in target) return target.failure;
  target.key.deleted = true;
  target.key.updatedAtMs = ctx.nowMs;
  return ok({});
}
