// Binance adapter: sub-account API keys created, validated, revoked and found by owner tag through
// the SAPI "API management" endpoints of the master account. KeyRequest.account is the
// sub-account's email; each key's apiName carries exkey's owner tag. The IP allowlist is set in the
// create call itself (status=2 + ipAddress), so a key never exists unrestricted, not even briefly.

import { isIP } from 'node:net';
import { httpClientFor, type HttpClient } from '../http.ts';
import { formatOwnerTag, ownedKeyOf } from '../owner-tag.ts';
import { revokeIdempotently } from '../revoke.ts';
import {
  type AdapterOptions,
  type Credentials,
  type ExchangeAdapter,
  type IssuedKey,
  type KeyInfo,
  type KeyRef,
  type KeyRequest,
} from '../types.ts';
import { BINANCE_MAINNET, createBinanceClient, type BinanceClient, type BinanceParams } from './client.ts';
import { VENUE, binanceBadResponse, binanceInvalidRequest } from './errors.ts';
import { fromBinanceRestrictions, toBinanceFlags } from './permissions.ts';
import { readApiRestrictions, readCreatedKey, readKeyPage, type ListedKey } from './responses.ts';
import { DEFAULT_RECV_WINDOW_MS } from './signing.ts';

/** The endpoints exkey calls. */
export const PATHS = {
  create: '/sapi/v2/sub-account/subAccountApi',
  list: '/sapi/v1/sub-account/subAccountApi',
  remove: '/sapi/v1/sub-account/subAccountApi',
  restrictions: '/sapi/v1/account/apiRestrictions',
} as const;

/**
 * Binance switches spot & margin trading off on keys with no IP restriction after 30 days
 * (announcement of 2021-07-08); apiRestrictions reports the moment as tradingAuthorityExpirationTime.
 */
export const UNRESTRICTED_TRADING_LIFETIME_MS = 30 * 24 * 3600_000;

/** ipAddress is "max 500 chars" (Create Sub-account API Key V2). */
export const MAX_IP_ADDRESS_CHARS = 500;

// The list endpoint pages hold at most 100 keys; the page cap stops a list that never ends.
const PAGE_SIZE = 100;
const MAX_PAGES = 100;
// How many created keys' IP lists the adapter remembers for validate() (see ipListOf).
const REMEMBERED_KEYS = 1000;

/** Test seams: the HTTP client (fakes, recorders). */
export interface BinanceAdapterDeps {
  http?: HttpClient;
}

/** Creates the `binance` adapter. */
export function createBinanceAdapter(options: AdapterOptions, deps: BinanceAdapterDeps = {}): ExchangeAdapter {
  const client = createBinanceClient({
    endpoint: options.endpoint ?? BINANCE_MAINNET,
    clock: options.clock,
    http: deps.http ?? httpClientFor(VENUE, options),
    recvWindowMs: DEFAULT_RECV_WINDOW_MS,
  });
  const ipLists = new Map<string, string[]>();
  return {
    name: VENUE,
    create: async (master, request) => {
      const created = readCreatedKey(await client.call(master, 'POST', PATHS.create, createParams(request)));
      remember(ipLists, created.apiKey, created.ipList);
      return issuedKey(created.apiKey, created.secretKey, request, options.clock.nowMs());
    },
    validate: async (key) => {
      const restrictions = readApiRestrictions(await client.call(key, 'GET', PATHS.restrictions));
      return toKeyInfo(key.keyId, restrictions, ipLists.get(key.keyId));
    },
    revoke: async (master, key) => {
      await revokeKey(client, master, key);
      ipLists.delete(key.keyId);
    },
    listOwned: async (master, ownerUid, account) => {
      const email = emailOf(account);
      const keys = await listKeys(client, master, email);
      return keys.flatMap((k) => ownedKeyOf({ keyId: k.apiKey, label: k.apiName }, ownerUid, email));
    },
  };
}

/** The create call's parameters for a request; throws invalid-request for what Binance cannot grant. */
export function createParams(request: KeyRequest): BinanceParams {
  const email = emailOf(request.account);
  const flags = toBinanceFlags(request.permissions);
  const ips = ipAddressOf(request.ipAllowlist);
  return {
    email,
    apiName: formatOwnerTag(request.owner),
    // 1 = unrestricted, 2 = restricted to trusted IPs (3, third-party IPs, is never used).
    status: ips === undefined ? 1 : 2,
    ...flags,
    ipAddress: ips,
    publicKey: publicKeyOf(request),
  };
}

/** Maps apiRestrictions (and the IP list Binance reported at creation) to KeyInfo. */
export function toKeyInfo(keyId: string, restrictions: ReturnType<typeof readApiRestrictions>, createdIps: string[] | undefined): KeyInfo {
  const mapped = fromBinanceRestrictions(restrictions.flags);
  return {
    keyId,
    permissions: mapped.permissions,
    unmappedPermissions: mapped.unmappedPermissions,
    ...ipListOf(restrictions.ipRestrict, createdIps),
    withdrawEnabled: mapped.withdrawEnabled,
    ...(restrictions.tradingExpiresAt ? { expiresAt: restrictions.tradingExpiresAt } : {}),
  };
}

/**
 * A key cannot read its own IP list: apiRestrictions says only whether it is IP-restricted, and
 * the list endpoint is for the master account. So validate() reports no IPs for an unrestricted
 * key (the venue's own word), the list Binance returned at creation when this adapter created the
 * key, and otherwise (another process, or a restart) "restricted, list unknown": the controller
 * then checks only that a restriction exists, never guesses addresses.
 */
export function ipListOf(ipRestrict: boolean, createdIps: string[] | undefined): Pick<KeyInfo, 'ipAllowlist' | 'ipRestrictedUnlisted'> {
  if (!ipRestrict) return { ipAllowlist: [] };
  if (createdIps !== undefined && createdIps.length > 0) return { ipAllowlist: [...createdIps] };
  return { ipAllowlist: [], ipRestrictedUnlisted: true };
}

function issuedKey(apiKey: string, secretKey: string, request: KeyRequest, nowMs: number): IssuedKey {
  if (request.keyType === 'hmac' && secretKey === '') throw binanceBadResponse('create answer lacks secretKey for an HMAC key');
  // Asymmetric keys have no secret: the operator holds the private key it generated.
  const credentials: Credentials = request.keyType === 'hmac' ? { keyId: apiKey, secret: secretKey } : { keyId: apiKey };
  const tradesSpot = request.permissions.includes('trade') || request.permissions.includes('trade:spot');
  if (request.ipAllowlist.length > 0 || !tradesSpot) return { credentials };
  return { credentials, expiresAt: new Date(nowMs + UNRESTRICTED_TRADING_LIFETIME_MS) };
}

function remember(ipLists: Map<string, string[]>, apiKey: string, ipList: string[]): void {
  ipLists.set(apiKey, ipList);
  // Oldest first out; a Map iterates in insertion order.
  for (const oldest of ipLists.keys()) {
    if (ipLists.size <= REMEMBERED_KEYS) break;
    ipLists.delete(oldest);
  }
}

/**
 * Deletes a sub-account key. Binance does not document what deleting an unknown key returns (the
 * simulator answers -1130), so an invalid-request answer is settled by the sub-account's list.
 */
async function revokeKey(client: BinanceClient, master: Credentials, key: KeyRef): Promise<void> {
  const email = emailOf(key.account);
  await revokeIdempotently(
    () => client.call(master, 'DELETE', PATHS.remove, { email, subAccountApiKey: key.keyId }),
    async () => readKeyPage(await client.call(master, 'GET', PATHS.list, { email, subAccountApiKey: key.keyId })).keys.some((k) => k.apiKey === key.keyId),
  );
}

async function listKeys(client: BinanceClient, master: Credentials, email: string): Promise<ListedKey[]> {
  const keys: ListedKey[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const result = readKeyPage(await client.call(master, 'GET', PATHS.list, { email, page, size: PAGE_SIZE }));
    keys.push(...result.keys);
    if (result.keys.length < PAGE_SIZE || keys.length >= result.total) return keys;
  }
  return keys;
}

// Binance scopes sub-account keys by the sub-account's email; anything else is a spec error.
function emailOf(account: string | undefined): string {
  const email = account?.trim() ?? '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw binanceInvalidRequest(`account must be the Binance sub-account's email, got "${account ?? ''}"`);
  }
  return email;
}

// Binance binds single addresses ("IP address list"), not ranges; a /32 or /128 is one address.
function ipAddressOf(allowlist: readonly string[]): string | undefined {
  if (allowlist.length === 0) return undefined;
  const ips = allowlist.map((entry) => entry.trim().replace(/\/(32|128)$/, ''));
  const notAddress = ips.find((ip) => isIP(ip) === 0);
  if (notAddress !== undefined) {
    throw binanceInvalidRequest(`IP allowlist entry "${notAddress}" is not a single IP address; Binance binds addresses, not CIDR ranges`);
  }
  const joined = ips.join(',');
  if (joined.length > MAX_IP_ADDRESS_CHARS) {
    throw binanceInvalidRequest(`the IP allowlist is ${joined.length} characters once joined; Binance takes at most ${MAX_IP_ADDRESS_CHARS}`);
  }
  return joined;
}

function publicKeyOf(request: KeyRequest): string | undefined {
  if (request.keyType === 'hmac') return undefined;
  if (request.publicKey === undefined || request.publicKey.trim() === '') {
    throw binanceInvalidRequest(`key type "${request.keyType}" needs the public key (PEM) generated in the cluster`);
  }
  return request.publicKey;
}
