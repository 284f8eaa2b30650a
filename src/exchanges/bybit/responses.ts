// Pure readers for the `result` objects of the Bybit endpoints exkey calls. Bybit's JSON is
// checked field by field: a shape we do not recognise becomes a 'bad-response' ExchangeError
// instead of an undefined deep inside the controller.

import { isRecord } from '../json.ts';
import { bybitBadResponse } from './errors.ts';
import type { BybitPermissionMap } from './permissions.ts';

/** POST /v5/user/create-sub-api result (the only time the secret is shown). */
export interface CreatedSubKey {
  id: string;
  apiKey: string;
  secret: string;
}

/** The parts of a key's description exkey uses (query-api and sub-apikeys entries). */
export interface BybitKeyView {
  apiKey: string;
  note: string;
  readOnly: boolean;
  permissions: BybitPermissionMap;
  /** IPs bound to the key; empty when Bybit reports none or "*". */
  ips: string[];
  expiresAt?: Date;
}

/** One page of GET /v5/user/sub-apikeys. */
export interface SubKeyPage {
  keys: BybitKeyView[];
  nextPageCursor: string;
}

/** Reads create-sub-api's result. */
export function readCreatedSubKey(result: unknown): CreatedSubKey {
  if (!isRecord(result)) throw bybitBadResponse('create-sub-api result is not an object');
  const { apiKey, secret, id } = result;
  if (typeof apiKey !== 'string' || apiKey === '' || typeof secret !== 'string' || secret === '') {
    throw bybitBadResponse('create-sub-api result lacks apiKey/secret');
  }
  return { apiKey, secret, id: typeof id === 'string' || typeof id === 'number' ? String(id) : '' };
}

/** Reads one key description (query-api result, or an entry of sub-apikeys). */
export function readKeyView(value: unknown): BybitKeyView {
  if (!isRecord(value) || typeof value.apiKey !== 'string') {
    throw bybitBadResponse('key description lacks apiKey');
  }
  const expiresAt = readDate(value.expiredAt);
  return {
    apiKey: value.apiKey,
    note: typeof value.note === 'string' ? value.note : '',
    // query-api says 0/1, sub-apikeys says true/false.
    readOnly: value.readOnly === 1 || value.readOnly === true || value.readOnly === '1',
    permissions: readPermissionMap(value.permissions),
    ips: readIps(value.ips),
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/** Reads a sub-apikeys page. */
export function readSubKeyPage(result: unknown): SubKeyPage {
  if (!isRecord(result) || !Array.isArray(result.result)) {
    throw bybitBadResponse('sub-apikeys result lacks a list');
  }
  const cursor = result.nextPageCursor;
  return {
    keys: result.result.map(readKeyView),
    nextPageCursor: typeof cursor === 'string' ? cursor : '',
  };
}

function readPermissionMap(value: unknown): BybitPermissionMap {
  if (!isRecord(value)) throw bybitBadResponse('permissions is not an object');
  const map: BybitPermissionMap = {};
  for (const [category, values] of Object.entries(value)) {
    if (Array.isArray(values)) map[category] = values.filter((v): v is string => typeof v === 'string');
  }
  return map;
}

// Bybit reports "no binding" as ["*"]; some answers carry a comma-joined string instead.
function readIps(value: unknown): string[] {
  const list = Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string' ? value.split(',') : [];
  return list.map((ip) => ip.trim()).filter((ip) => ip !== '' && ip !== '*');
}

// Bybit leaves expiredAt empty (or omits it) for keys that never expire.
function readDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
