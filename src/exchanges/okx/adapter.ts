// OKX v5 adapter: sub-account keys created, validated, revoked and found by owner tag through the
// sub-account endpoints. The master key (IP-bound, with Trade) manages the keys of the sub-account
// named in KeyRequest.account; each key's `label` carries exkey's owner tag and its passphrase is
// generated here, one per key version.
//
// Expiry: OKX deletes a key with trade (or withdraw) permission and no IP binding after 14 days
// without a signed call ("Authentication → API key security"). OKX reports no expiry for it, so
// neither IssuedKey.expiresAt nor KeyInfo.expiresAt is set; bind IPs, or keep using the key.

import { httpClientFor, type HttpClient } from '../http.ts';
import { formatOwnerTag, isOwnedBy, parseOwnerTag } from '../owner-tag.ts';
import { ExchangeError, type AdapterOptions, type Credentials, type ExchangeAdapter, type IssuedKey, type KeyInfo, type KeyRef, type KeyRequest } from '../types.ts';
import { OKX_MAINNET, createOkxClient, type OkxClient } from './client.ts';
import { OKX_RATE_LIMITS, OKX_RATE_WINDOW_MS } from './limits.ts';
import { paced, pacerIf } from '../pacer.ts';
import { VENUE, okxInvalidRequest } from './errors.ts';
import { MAX_BOUND_IPS, parseIpEntry } from './ip.ts';
import { generateOkxPassphrase, type RandomInt } from './passphrase.ts';
import { fromOkxPerm, toOkxPerm } from './permissions.ts';
import { readCreatedKey, readKeyConfig, readSubKeys, type OkxKeyConfig } from './responses.ts';

/** The sub-account endpoints exkey calls. */
export const OKX_PATHS = {
  createKey: '/api/v5/users/subaccount/apikey',
  listKeys: '/api/v5/users/subaccount/apikey',
  deleteKey: '/api/v5/users/subaccount/delete-apikey',
  accountConfig: '/api/v5/account/config',
} as const;

/** Test seams: the HTTP client, and the randomness behind generated passphrases. */
export interface OkxAdapterDeps {
  http?: HttpClient;
  random?: RandomInt;
}

/** Creates the `okx` adapter. */
export function createOkxAdapter(options: AdapterOptions, deps: OkxAdapterDeps = {}): ExchangeAdapter {
  const http = deps.http ?? httpClientFor(VENUE, options);
  const pacer = pacerIf(options.pacing, { clock: options.clock, limits: OKX_RATE_LIMITS, windowMs: OKX_RATE_WINDOW_MS });
  const client = createOkxClient({ endpoint: options.endpoint ?? OKX_MAINNET, clock: options.clock, http, ...paced(pacer) });
  return {
    name: VENUE,
    create: async (master, request) => createKey(client, master, createKeyBody(request, deps.random)),
    validate: async (key) => toKeyInfo(key.keyId, readKeyConfig(await client.get(key, OKX_PATHS.accountConfig))),
    revoke: (master, key) => revokeKey(client, master, key),
    listOwned: async (master, ownerUid, account) => {
      const subAcct = subAccountOf(account);
      const keys = readSubKeys(await client.get(master, OKX_PATHS.listKeys, { subAcct }));
      return keys.flatMap((k) => {
        const tag = isOwnedBy(k.label, ownerUid) ? parseOwnerTag(k.label) : undefined;
        return tag ? [{ keyId: k.apiKey, owner: { uid: ownerUid, version: tag.version }, account: subAcct }] : [];
      });
    },
  };
}

/** The create-apikey body (passphrase included); throws invalid-request for what OKX cannot grant. */
export function createKeyBody(request: KeyRequest, random?: RandomInt): Record<string, string> {
  if (request.keyType !== 'hmac') {
    throw okxInvalidRequest(`key type "${request.keyType}" is not supported: OKX sub-account keys are HMAC keys; use "hmac"`);
  }
  const subAcct = subAccountOf(request.account);
  const perm = toOkxPerm(request.permissions);
  const ips = request.ipAllowlist.map((ip) => ip.trim());
  const bad = ips.find((ip) => parseIpEntry(ip) === undefined);
  if (bad !== undefined) throw okxInvalidRequest(`IP allowlist entry "${bad}" is not an IP address or network segment`);
  if (ips.length > MAX_BOUND_IPS) {
    throw okxInvalidRequest(`OKX binds at most ${MAX_BOUND_IPS} IP addresses to a key, the allowlist has ${ips.length}`);
  }
  return {
    subAcct,
    label: formatOwnerTag(request.owner),
    passphrase: generateOkxPassphrase(random),
    perm,
    ...(ips.length > 0 ? { ip: ips.join(',') } : {}),
  };
}

async function createKey(client: OkxClient, master: Credentials, body: Record<string, string>): Promise<IssuedKey> {
  const created = readCreatedKey(await client.post(master, OKX_PATHS.createKey, body));
  // The passphrase is ours: OKX stores only a salted hash of it and never shows it again.
  return { credentials: { keyId: created.apiKey, secret: created.secretKey, passphrase: body.passphrase ?? '' } };
}

/** Maps account/config's view of the calling key to KeyInfo (OKX reports no expiry). */
export function toKeyInfo(keyId: string, config: OkxKeyConfig): KeyInfo {
  const mapped = fromOkxPerm(config.perm);
  return {
    keyId,
    permissions: mapped.permissions,
    unmappedPermissions: mapped.unmappedPermissions,
    ipAllowlist: config.ips,
    withdrawEnabled: mapped.withdrawEnabled,
  };
}

// OKX answers 59506 "API key doesn't exist" for a key that is already gone: revoked.
async function revokeKey(client: OkxClient, master: Credentials, key: KeyRef): Promise<void> {
  try {
    await client.post(master, OKX_PATHS.deleteKey, { subAcct: subAccountOf(key.account), apiKey: key.keyId });
  } catch (err) {
    if (err instanceof ExchangeError && err.code === '59506') return;
    throw err;
  }
}

// OKX names sub-accounts with 6 to 20 letters and digits ("Create an API Key for a sub-account").
function subAccountOf(account: string | undefined): string {
  const name = account?.trim() ?? '';
  if (!/^[A-Za-z0-9]{6,20}$/.test(name)) {
    throw okxInvalidRequest(`account must be the OKX sub-account name (6 to 20 letters and digits), got "${account ?? ''}"`);
  }
  return name;
}
