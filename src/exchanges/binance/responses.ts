// Pure readers for the answers of the Binance endpoints exkey calls. Fields are checked one by
// one: a shape we do not recognise becomes a 'bad-response' ExchangeError, not an undefined deep
// inside the controller.

import { isRecord } from '../json.ts';
import { binanceBadResponse } from './errors.ts';

/** POST /sapi/v2/sub-account/subAccountApi (the only time the secret is shown). */
export interface CreatedKey {
  apiKey: string;
  /** '' for keys registered with a public key: they have no secret. */
  secretKey: string;
  /** IPs Binance bound the key to (empty when unrestricted). */
  ipList: string[];
}

/** GET /sapi/v1/account/apiRestrictions, as the key itself sees it. */
export interface ApiRestrictions {
  ipRestrict: boolean;
  /** Every boolean field, verbatim (permission flags). */
  flags: Record<string, boolean>;
  /** When spot & margin trading switches off (unrestricted keys only). */
  tradingExpiresAt?: Date;
}

/** One entry of GET /sapi/v1/sub-account/subAccountApi. */
export interface ListedKey {
  apiKey: string;
  apiName: string;
}

/** One page of GET /sapi/v1/sub-account/subAccountApi. */
export interface KeyPage {
  total: number;
  keys: ListedKey[];
}

/** Reads the create call's answer. */
export function readCreatedKey(value: unknown): CreatedKey {
  if (!isRecord(value) || typeof value.apiKey !== 'string' || value.apiKey === '') {
    throw binanceBadResponse('create sub-account API key answer lacks apiKey');
  }
  return {
    apiKey: value.apiKey,
    secretKey: typeof value.secretKey === 'string' ? value.secretKey : '',
    ipList: readIpList(value.ipList),
  };
}

/** Reads apiRestrictions. */
export function readApiRestrictions(value: unknown): ApiRestrictions {
  if (!isRecord(value) || typeof value.ipRestrict !== 'boolean') {
    throw binanceBadResponse('apiRestrictions answer lacks ipRestrict');
  }
  const flags: Record<string, boolean> = {};
  for (const [field, v] of Object.entries(value)) if (typeof v === 'boolean') flags[field] = v;
  const expiry = value.tradingAuthorityExpirationTime;
  return {
    ipRestrict: value.ipRestrict,
    flags,
    // Binance omits the field (or sends 0) when trading never lapses.
    ...(typeof expiry === 'number' && expiry > 0 ? { tradingExpiresAt: new Date(expiry) } : {}),
  };
}

/** Reads one page of the sub-account's key list (`{total, list: [{apikey, apiName, ...}]}`). */
export function readKeyPage(value: unknown): KeyPage {
  if (!isRecord(value) || !Array.isArray(value.list)) throw binanceBadResponse('sub-account API key list lacks list');
  const keys = value.list.map((entry): ListedKey => {
    if (!isRecord(entry) || typeof entry.apikey !== 'string') throw binanceBadResponse('sub-account API key entry lacks apikey');
    return { apiKey: entry.apikey, apiName: typeof entry.apiName === 'string' ? entry.apiName : '' };
  });
  return { total: typeof value.total === 'number' ? value.total : keys.length, keys };
}

function readIpList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((ip): ip is string => typeof ip === 'string').map((ip) => ip.trim()).filter((ip) => ip !== '');
}
