// Pure readers for the results of the Deribit methods exkey calls, checked field by field: a shape
// we do not recognise becomes a 'bad-response' ExchangeError instead of an undefined deep inside
// the controller. Field names follow Deribit API v2.1.1 (private/create_api_key, list_api_keys,
// public/auth).

import { isRecord } from '../json.ts';
import { deribitBadResponse } from './errors.ts';

/** One API key as create_api_key, edit_api_key and list_api_keys describe it. */
export interface DeribitKeyView {
  /** Numeric key id (what remove_api_key and edit_api_key take). */
  id: number;
  clientId: string;
  /** HMAC secret, or the MD5 fingerprint of an asymmetric key's public key. */
  clientSecret: string;
  maxScope: string;
  name: string;
  enabled: boolean;
  ipWhitelist: string[];
  publicKey?: string;
}

/** What public/auth and public/exchange_token return. */
export interface DeribitToken {
  accessToken: string;
  refreshToken: string;
  scope: string;
  expiresInS: number;
}

/** Reads one key description. */
export function readKeyView(value: unknown): DeribitKeyView {
  if (!isRecord(value) || typeof value.id !== 'number' || typeof value.client_id !== 'string' || value.client_id === '') {
    throw deribitBadResponse('api key description lacks id/client_id');
  }
  const publicKey = typeof value.public_key === 'string' && value.public_key !== '' ? value.public_key : undefined;
  return {
    id: value.id,
    clientId: value.client_id,
    clientSecret: typeof value.client_secret === 'string' ? value.client_secret : '',
    maxScope: typeof value.max_scope === 'string' ? value.max_scope : '',
    name: typeof value.name === 'string' ? value.name : '',
    enabled: value.enabled !== false,
    ipWhitelist: Array.isArray(value.ip_whitelist) ? value.ip_whitelist.filter((ip): ip is string => typeof ip === 'string') : [],
    ...(publicKey ? { publicKey } : {}),
  };
}

/** Reads list_api_keys' result. */
export function readKeyList(result: unknown): DeribitKeyView[] {
  if (!Array.isArray(result)) throw deribitBadResponse('list_api_keys result is not a list');
  return result.map(readKeyView);
}

/** Reads a token answer. */
export function readToken(result: unknown): DeribitToken {
  if (!isRecord(result) || typeof result.access_token !== 'string' || result.access_token === '') {
    throw deribitBadResponse('auth result lacks access_token');
  }
  return {
    accessToken: result.access_token,
    refreshToken: typeof result.refresh_token === 'string' ? result.refresh_token : '',
    scope: typeof result.scope === 'string' ? result.scope : '',
    expiresInS: typeof result.expires_in === 'number' ? result.expires_in : 0,
  };
}
