// Pure readers for the `data` arrays of the OKX endpoints exkey calls. OKX's JSON is checked
// field by field: a shape we do not recognise becomes a 'bad-response' ExchangeError instead of
// an undefined deep inside the controller. Field lists: OKX API v5 docs, "Sub-account → Create an
// API Key for a sub-account" / "Query the API Key of a sub-account", and "Trading Account → Get
// account configuration".

import { isRecord } from '../json.ts';
import { okxBadResponse } from './errors.ts';

/** POST /api/v5/users/subaccount/apikey data[0] (the only time the secret is shown). */
export interface CreatedKey {
  apiKey: string;
  secretKey: string;
  label: string;
}

/** A key as GET /api/v5/account/config (signed by that key) describes it. */
export interface OkxKeyConfig {
  uid: string;
  mainUid: string;
  label: string;
  /** Bound IPs/segments; empty when none. */
  ips: string[];
  /** Comma-separated `perm` split, e.g. ["read_only", "trade"]. */
  perm: string[];
}

/** One entry of GET /api/v5/users/subaccount/apikey. */
export interface OkxSubKey {
  apiKey: string;
  label: string;
  perm: string[];
  ips: string[];
}

/** Reads create-apikey's data. */
export function readCreatedKey(data: unknown): CreatedKey {
  const entry = firstEntry(data, 'create apikey');
  const { apiKey, secretKey, label } = entry;
  if (typeof apiKey !== 'string' || apiKey === '' || typeof secretKey !== 'string' || secretKey === '') {
    throw okxBadResponse('create apikey data lacks apiKey/secretKey');
  }
  return { apiKey, secretKey, label: typeof label === 'string' ? label : '' };
}

/** Reads account/config's data. */
export function readKeyConfig(data: unknown): OkxKeyConfig {
  const entry = firstEntry(data, 'account config');
  return {
    uid: text(entry.uid),
    mainUid: text(entry.mainUid),
    label: text(entry.label),
    ips: commaList(entry.ip),
    perm: commaList(entry.perm),
  };
}

/** Reads the sub-account key list. */
export function readSubKeys(data: unknown): OkxSubKey[] {
  if (!Array.isArray(data)) throw okxBadResponse('sub-account apikey data is not a list');
  return data.map((entry: unknown) => {
    if (!isRecord(entry) || typeof entry.apiKey !== 'string') throw okxBadResponse('sub-account apikey entry lacks apiKey');
    return { apiKey: entry.apiKey, label: text(entry.label), perm: commaList(entry.perm), ips: commaList(entry.ip) };
  });
}

function firstEntry(data: unknown, what: string): Record<string, unknown> {
  const entry: unknown = Array.isArray(data) ? data[0] : undefined;
  if (!isRecord(entry)) throw okxBadResponse(`${what} data is not a one-entry list`);
  return entry;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

// OKX joins IPs and permissions with commas and sends "" for none.
function commaList(value: unknown): string[] {
  return text(value).split(',').map((v) => v.trim()).filter((v) => v !== '');
}
