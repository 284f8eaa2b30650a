// Coinbase Advanced Trade validator: CDP keys are created and deleted only in the CDP portal, so
// exkey only asks GET /api/v3/brokerage/key_permissions, with a Bearer JWT signed by the key.
// The key's `keyId` is the CDP key name, `privateKey` the EC PEM (or Ed25519 secret).
// key_permissions says nothing about the key's IP allowlist: KeyInfo says so (ipAllowlistUnknown),
// exkey skips the IP check, and the allowlist must be checked by a human in the CDP portal.

import { httpClientFor, type HttpClient } from '../http.ts';
import { isRecord } from '../json.ts';
import type { AdapterOptions, Credentials, KeyInfo, KeyValidator } from '../types.ts';
import { VENUE, coinbaseBadResponse, coinbaseHttpError, coinbaseInvalidRequest } from './errors.ts';
import { cdpJwt, cdpSigningKey, uriClaim, type CdpSigningKey } from './jwt.ts';
import { fromCoinbaseFlags, type CoinbaseFlags } from './permissions.ts';

/** Coinbase's production REST endpoint. */
export const COINBASE_MAINNET = 'https://api.coinbase.com';

/** The endpoint validation calls. */
export const KEY_PERMISSIONS_PATH = '/api/v3/brokerage/key_permissions';

/** Test seams. */
export interface CoinbaseValidatorDeps {
  http?: HttpClient;
}

/** Creates the `coinbase` validator. */
export function createCoinbaseValidator(options: AdapterOptions, deps: CoinbaseValidatorDeps = {}): KeyValidator {
  const http = deps.http ?? httpClientFor(VENUE, options);
  const base = new URL(options.endpoint ?? COINBASE_MAINNET);
  const url = `${base.origin}${KEY_PERMISSIONS_PATH}`;
  return {
    name: VENUE,
    validate: async (key) => {
      const token = cdpJwt({
        keyName: key.keyId,
        signingKey: signingKeyOf(key),
        uri: uriClaim('GET', base.host, KEY_PERMISSIONS_PATH),
        nowSeconds: Math.floor(options.clock.nowMs() / 1000),
      });
      const response = await http.send({ method: 'GET', url, headers: { Authorization: `Bearer ${token}` } });
      if (response.status < 200 || response.status >= 300) throw coinbaseHttpError(response.status, response.body);
      return toKeyInfo(key.keyId, readFlags(response.body));
    },
  };
}

/** KeyInfo from key_permissions' flags. */
export function toKeyInfo(keyId: string, flags: CoinbaseFlags): KeyInfo {
  const mapped = fromCoinbaseFlags(flags);
  // The allowlist is not readable through the API: a human checks it (see docs/exchanges/coinbase.md).
  return { keyId, permissions: mapped.permissions, unmappedPermissions: [], ipAllowlist: [], ipAllowlistUnknown: true, withdrawEnabled: mapped.withdrawEnabled };
}

/** Reads key_permissions' body. */
export function readFlags(body: string): CoinbaseFlags {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw coinbaseBadResponse('key_permissions body is not JSON');
  }
  if (!isRecord(parsed) || typeof parsed.can_view !== 'boolean' || typeof parsed.can_trade !== 'boolean' || typeof parsed.can_transfer !== 'boolean') {
    throw coinbaseBadResponse('key_permissions lacks can_view/can_trade/can_transfer');
  }
  return { can_view: parsed.can_view, can_trade: parsed.can_trade, can_transfer: parsed.can_transfer };
}

function signingKeyOf(key: Credentials): CdpSigningKey {
  if (!key.keyId.trim()) throw coinbaseInvalidRequest('keyId must be the CDP key name (organizations/<org>/apiKeys/<id>)');
  try {
    return cdpSigningKey(key.privateKey ?? key.secret ?? '');
  } catch (err) {
    throw coinbaseInvalidRequest(err instanceof Error ? err.message : 'unreadable private key');
  }
}
