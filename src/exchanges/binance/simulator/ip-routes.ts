// The master account's endpoints that change an existing sub-account key: its permissions
// ("Modify Sub-account API Key Permission") and its IP restriction ("Add IP Restriction for
// Sub-Account API key" v2, "Get IP Restriction for a Sub-account API Key", "Delete IP List For a
// Sub-account API Key"). exkey's adapter does not call them (it sets everything at creation);
// they are here so other clients and tests can change keys the way Binance lets them.

import { targetKey, type CallContext, type SignedRoute } from './context.ts';
import { invalid, ok, type SimResult } from './envelope.ts';
import { failed, ipList, optionalBoolean, requiredString } from './params.ts';
import type { KeyFlags, SimKey } from './state.ts';

// The docs give 3000 (UID) for the IP endpoints; the permission change is assumed to weigh the same.
const MASTER_UID_3000 = { masterOnly: true, weight: { per: 'uid', cost: 3000 } } as const;

/** Routes by "METHOD path". */
export const IP_RESTRICTION_ROUTES: Readonly<Record<string, SignedRoute>> = {
  'POST /sapi/v1/sub-account/subAccountApiPermission': { ...MASTER_UID_3000, handle: changePermissions },
  'POST /sapi/v2/sub-account/subAccountApi/ipRestriction': { ...MASTER_UID_3000, handle: addIpRestriction },
  'GET /sapi/v1/sub-account/subAccountApi/ipRestriction': { ...MASTER_UID_3000, handle: getIpRestriction },
  'DELETE /sapi/v1/sub-account/subAccountApi/ipRestriction/ipList': { ...MASTER_UID_3000, handle: deleteIpList },
};

const PERMISSION_FLAGS: ReadonlyArray<keyof KeyFlags> = ['canTrade', 'canMarginLoanRepay', 'canFuturesTrade', 'canUniversalTransfer', 'canVanillaOptions'];

function changePermissions(ctx: CallContext): SimResult {
  const target = targetKey(ctx);
  if ('failure' in target) return target.failure;
  const next = { ...target.key.flags };
  for (const name of PERMISSION_FLAGS) {
    const read = optionalBoolean(ctx.params, name, next[name]);
    if (failed(read)) return read.failure;
    next[name] = read.value;
  }
  target.key.flags = next;
  target.key.updatedAtMs = ctx.nowMs;
  return ok({ apiKey: target.key.apiKey, ...Object.fromEntries(PERMISSION_FLAGS.map((f) => [f, next[f]])) });
}

// status "1" (or absent) = unrestricted, "2" = trusted IPs only; ipAddress adds IPs in batch.
function addIpRestriction(ctx: CallContext): SimResult {
  const target = targetKey(ctx);
  if ('failure' in target) return target.failure;
  const status = requiredString(ctx.params, 'status');
  if (failed(status)) return status.failure;
  if (status.value !== '1' && status.value !== '2') return invalid('status');
  const ips = ipList(ctx.params, 'ipAddress');
  if (failed(ips)) return ips.failure;
  const key = target.key;
  if (status.value === '1') {
    key.ipRestrict = false;
  } else {
    key.ipRestrict = true;
    key.ips = [...new Set([...key.ips, ...(ips.value ?? [])])];
  }
  key.updatedAtMs = ctx.nowMs;
  return ok({ status: status.value, ...(key.ipRestrict && key.ips.length > 0 ? { ipList: [...key.ips] } : {}), updateTime: key.updatedAtMs, apiKey: key.apiKey });
}

function getIpRestriction(ctx: CallContext): SimResult {
  const target = targetKey(ctx);
  if ('failure' in target) return target.failure;
  return ok(restrictionView(target.key));
}

// ipAddress names the IPs to remove; without it the whole list goes.
function deleteIpList(ctx: CallContext): SimResult {
  const target = targetKey(ctx);
  if ('failure' in target) return target.failure;
  const ips = ipList(ctx.params, 'ipAddress');
  if (failed(ips)) return ips.failure;
  const remove = ips.value;
  const key = target.key;
  key.ips = remove === undefined ? [] : key.ips.filter((ip) => !remove.includes(ip));
  key.updatedAtMs = ctx.nowMs;
  return ok(restrictionView(key));
}

// Binance writes ipRestrict as a string here ("true"/"false").
function restrictionView(key: SimKey): Record<string, unknown> {
  return { ipRestrict: String(key.ipRestrict), ipList: [...key.ips], updateTime: key.updatedAtMs, apiKey: key.apiKey };
}
