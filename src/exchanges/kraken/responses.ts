// Readers for Kraken's envelope and GetApiKeyInfo's result, field by field: a shape we do not
// recognise becomes an ExchangeError rather than an undefined deep inside the controller.
// Result shape: docs.kraken.com/api-reference/account-data/get-api-key-info, e.g.
//   {apiKeyName, apiKey, nonce: "1772627060997", nonceWindow: 0, permissions: ["query-funds", ...],
//    iban, validUntil: "0", queryFrom: "0", queryTo: "0", createdTime, modifiedTime,
//    ipAllowlist: [], lastUsed}
// Times are Unix seconds as strings; "0" means "no restriction".

import type { HttpResponse } from '../http.ts';
import { isRecord } from '../json.ts';
import { krakenBadResponse, krakenError } from './errors.ts';

/** What exkey reads from GetApiKeyInfo. */
export interface KrakenKeyInfo {
  apiKey: string;
  apiKeyName: string;
  permissions: string[];
  ipAllowlist: string[];
  nonceWindow: number;
  /** Undefined when the key never expires (validUntil "0"). */
  validUntil?: Date;
}

/** `result` of a Kraken answer with an empty error list; a typed ExchangeError otherwise. */
export function unwrapKraken(response: HttpResponse): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    throw krakenBadResponse(`body is not JSON (HTTP ${response.status})`, response.status >= 300 ? response.status : undefined);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.error)) {
    throw krakenBadResponse('body is not a Kraken envelope', response.status >= 300 ? response.status : undefined);
  }
  const errors = parsed.error.filter((e): e is string => typeof e === 'string');
  // Warnings ("W...") ride along with a result; only errors ("E...") fail the call.
  const failures = errors.filter((e) => e.startsWith('E'));
  if (failures.length > 0) throw krakenError(failures, response.status);
  return parsed.result;
}

/** Reads GetApiKeyInfo's result. */
export function readKeyInfo(result: unknown): KrakenKeyInfo {
  if (!isRecord(result) || typeof result.apiKey !== 'string' || !Array.isArray(result.permissions)) {
    throw krakenBadResponse('GetApiKeyInfo result lacks apiKey/permissions');
  }
  const validUntil = unixSeconds(result.validUntil);
  return {
    apiKey: result.apiKey,
    apiKeyName: typeof result.apiKeyName === 'string' ? result.apiKeyName : '',
    permissions: strings(result.permissions),
    ipAllowlist: strings(result.ipAllowlist).map((ip) => ip.trim()).filter((ip) => ip !== ''),
    nonceWindow: Number(result.nonceWindow ?? 0) || 0,
    ...(validUntil ? { validUntil } : {}),
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

// "0" (or absent) means never; Kraken sends seconds as a string, the Fast API as a number.
function unixSeconds(value: unknown): Date | undefined {
  const seconds = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
}
