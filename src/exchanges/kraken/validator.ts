// Kraken spot validator: Kraken has no key-management API, so humans create and delete keys in
// its UI and exkey only asks POST /0/private/GetApiKeyInfo ("API Key Permissions Required: None")
// what Kraken thinks of a key. Form-encoded body `nonce=<n>`, signed as in signing.ts.

import { httpClientFor, type HttpClient } from '../http.ts';
import type { AdapterOptions, Credentials, KeyInfo, KeyValidator } from '../types.ts';
import { VENUE, krakenInvalidRequest } from './errors.ts';
import { fromKrakenPermissions } from './permissions.ts';
import { readKeyInfo, unwrapKraken, type KrakenKeyInfo } from './responses.ts';
import { createNonceSource, krakenSignature, type NonceSource } from './signing.ts';

/** Kraken's production REST endpoint. */
export const KRAKEN_MAINNET = 'https://api.kraken.com';

/** The path GetApiKeyInfo is signed and sent with. */
export const GET_API_KEY_INFO = '/0/private/GetApiKeyInfo';

/** Test seams. */
export interface KrakenValidatorDeps {
  http?: HttpClient;
  nonces?: NonceSource;
}

/** Creates the `kraken` validator. */
export function createKrakenValidator(options: AdapterOptions, deps: KrakenValidatorDeps = {}): KeyValidator {
  const http = deps.http ?? httpClientFor(VENUE, options);
  const nonces = deps.nonces ?? createNonceSource(options.clock);
  const base = (options.endpoint ?? KRAKEN_MAINNET).replace(/\/+$/, '');
  return {
    name: VENUE,
    validate: async (key) => {
      const secret = secretOf(key);
      const nonce = nonces.next(key.keyId);
      const body = new URLSearchParams({ nonce }).toString();
      const response = await http.send({
        method: 'POST',
        url: `${base}${GET_API_KEY_INFO}`,
        headers: {
          'API-Key': key.keyId,
          'API-Sign': krakenSignature({ secret, uriPath: GET_API_KEY_INFO, nonce, postData: body }),
          'Content-Type': 'application/x-www-form-urlencoded',
          // Kraken: "all requests must specify a User-Agent".
          'User-Agent': 'exkey',
        },
        body,
      });
      return toKeyInfo(readKeyInfo(unwrapKraken(response)));
    },
  };
}

/** KeyInfo from GetApiKeyInfo's result. */
export function toKeyInfo(info: KrakenKeyInfo): KeyInfo {
  const mapped = fromKrakenPermissions(info.permissions);
  return {
    keyId: info.apiKey,
    permissions: mapped.permissions,
    unmappedPermissions: mapped.unmappedPermissions,
    ipAllowlist: info.ipAllowlist,
    withdrawEnabled: mapped.withdrawEnabled,
    ...(info.validUntil ? { expiresAt: info.validUntil } : {}),
  };
}

function secretOf(key: Credentials): string {
  const secret = key.secret ?? '';
  // Kraken shows the private key as base64 of 64 bytes (88 characters).
  if (secret === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
    throw krakenInvalidRequest('the key\'s secret must be Kraken\'s base64 "private key"');
  }
  return secret;
}
