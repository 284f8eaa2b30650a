// Bybit v5 adapter: sub-account keys created, validated, revoked and found by owner tag through
// the user endpoints. The master key (with "Subaccount Transfer") manages keys of the sub uid in
// KeyRequest.account; each key's `note` carries exkey's owner tag.

import { isIP } from 'node:net';
import { httpClientFor, type HttpClient } from '../http.ts';
import { formatOwnerTag, isOwnedBy, parseOwnerTag } from '../owner-tag.ts';
import {
  ExchangeError,
  type AdapterOptions,
  type Credentials,
  type ExchangeAdapter,
  type IssuedKey,
  type KeyInfo,
  type KeyRef,
  type KeyRequest,
  type OwnedKey,
} from '../types.ts';
import { BYBIT_MAINNET, createBybitClient, type BybitClient } from './client.ts';
import { BYBIT_RATE_LIMITS, BYBIT_RATE_WINDOW_MS } from './limits.ts';
import { paced, pacerIf } from '../pacer.ts';
import { VENUE, bybitInvalidRequest } from './errors.ts';
import { fromBybitPermissions, toBybitPermissions } from './permissions.ts';
import { readCreatedSubKey, readKeyView, readSubKeyPage, type BybitKeyView } from './responses.ts';
import { DEFAULT_RECV_WINDOW_MS } from './signing.ts';

/** Bybit invalidates keys with no IP binding 90 days after creation. */
export const UNBOUND_KEY_LIFETIME_MS = 90 * 24 * 3600_000;

// sub-apikeys pages hold at most 20 keys; the page cap stops a cursor that never ends.
const PAGE_SIZE = 20;
const MAX_PAGES = 500;

/** Test seams: the HTTP client (fakes, recorders). */
export interface BybitAdapterDeps {
  http?: HttpClient;
}

/** Creates the `bybit` adapter. */
export function createBybitAdapter(options: AdapterOptions, deps: BybitAdapterDeps = {}): ExchangeAdapter {
  const http = deps.http ?? httpClientFor(VENUE, options);
  const client = createBybitClient({
    endpoint: options.endpoint ?? BYBIT_MAINNET,
    clock: options.clock,
    http,
    recvWindowMs: DEFAULT_RECV_WINDOW_MS,
    ...paced(pacerIf(options.pacing, { clock: options.clock, limits: BYBIT_RATE_LIMITS, windowMs: BYBIT_RATE_WINDOW_MS })),
  });
  return {
    name: VENUE,
    create: async (master, request) => {
      const issued = await createKey(client, master, request);
      return withExpiry(issued, request, options.clock.nowMs());
    },
    validate: async (key) => toKeyInfo(readKeyView(await client.get(key, '/v5/user/query-api'))),
    revoke: (master, key) => revokeKey(client, master, key),
    listOwned: async (master, ownerUid, account) => {
      const subUid = subUidOf(account);
      const keys = await listSubKeys(client, master, subUid);
      return keys.flatMap((k) => ownedKey(k, ownerUid, subUid));
    },
  };
}

/** The create-sub-api body for a request; throws invalid-request for what Bybit cannot grant. */
export function createSubApiBody(request: KeyRequest): Record<string, unknown> {
  if (request.keyType !== 'hmac') {
    // create-sub-api takes no public key: Bybit's RSA ("self-generated") keys are registered in its
    // web UI only, so exkey cannot issue one. The manual path covers keys a human registers.
    throw bybitInvalidRequest(
      `key type "${request.keyType}" cannot be issued through Bybit's API (create-sub-api takes no public key; RSA keys are registered in Bybit's web UI); use "hmac", or exchange: manual for a key a human registers`,
    );
  }
  const subuid = Number(subUidOf(request.account));
  const { readOnly, permissions } = toBybitPermissions(request.permissions);
  const ips = request.ipAllowlist.map((ip) => ip.trim());
  const notAddress = ips.find((ip) => isIP(ip) === 0);
  if (notAddress !== undefined) {
    throw bybitInvalidRequest(`IP allowlist entry "${notAddress}" is not a single IP address; Bybit binds addresses, not CIDR ranges`);
  }
  return {
    subuid,
    readOnly,
    permissions,
    ...(ips.length > 0 ? { ips: ips.join(',') } : {}),
    note: formatOwnerTag(request.owner),
  };
}

async function createKey(client: BybitClient, master: Credentials, request: KeyRequest): Promise<IssuedKey> {
  const created = readCreatedSubKey(await client.post(master, '/v5/user/create-sub-api', createSubApiBody(request)));
  return { credentials: { keyId: created.apiKey, secret: created.secret } };
}

// create-sub-api does not echo an expiry; Bybit documents 90 days for keys with no IP binding.
// validate() later reports the venue's own expiredAt.
function withExpiry(issued: IssuedKey, request: KeyRequest, nowMs: number): IssuedKey {
  if (request.ipAllowlist.length > 0) return issued;
  return { ...issued, expiresAt: new Date(nowMs + UNBOUND_KEY_LIFETIME_MS) };
}

/** Maps query-api's view of a key to KeyInfo. */
export function toKeyInfo(view: BybitKeyView): KeyInfo {
  const mapped = fromBybitPermissions(view.readOnly, view.permissions);
  return {
    keyId: view.apiKey,
    permissions: mapped.permissions,
    unmappedPermissions: mapped.unmappedPermissions,
    ipAllowlist: view.ips,
    withdrawEnabled: mapped.withdrawEnabled,
    ...(view.expiresAt ? { expiresAt: view.expiresAt } : {}),
  };
}

/**
 * Deletes a sub key. Bybit does not document what deleting an unknown key returns (the
 * simulator answers retCode 10001), so on an invalid-request answer the adapter looks the key up
 * in the sub account's list: absent means already revoked (success); present means the refusal
 * was real. Auth, permission and transient failures are never read as "already gone".
 */
async function revokeKey(client: BybitClient, master: Credentials, key: KeyRef): Promise<void> {
  try {
    await client.post(master, '/v5/user/delete-sub-api', { apikey: key.keyId });
  } catch (err) {
    if (!(err instanceof ExchangeError) || err.kind !== 'invalid-request' || key.account === undefined) throw err;
    const keys = await listSubKeys(client, master, subUidOf(key.account));
    if (keys.some((k) => k.apiKey === key.keyId)) throw err;
  }
}

async function listSubKeys(client: BybitClient, master: Credentials, subUid: string): Promise<BybitKeyView[]> {
  const keys: BybitKeyView[] = [];
  let cursor = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.get(master, '/v5/user/sub-apikeys', {
      subMemberId: subUid,
      limit: PAGE_SIZE,
      cursor: cursor === '' ? undefined : cursor,
    });
    const { keys: pageKeys, nextPageCursor } = readSubKeyPage(result);
    keys.push(...pageKeys);
    if (nextPageCursor === '' || nextPageCursor === cursor || pageKeys.length === 0) return keys;
    cursor = nextPageCursor;
  }
  return keys;
}

function ownedKey(view: BybitKeyView, ownerUid: string, subUid: string): OwnedKey[] {
  const tag = isOwnedBy(view.note, ownerUid) ? parseOwnerTag(view.note) : undefined;
  return tag ? [{ keyId: view.apiKey, owner: { uid: ownerUid, version: tag.version }, account: subUid }] : [];
}

// Bybit scopes sub keys by the numeric sub uid; anything else is a spec error.
function subUidOf(account: string | undefined): string {
  const uid = account?.trim() ?? '';
  if (!/^\d{1,15}$/.test(uid)) {
    throw bybitInvalidRequest(`account must be the numeric Bybit sub-account uid, got "${account ?? ''}"`);
  }
  return uid;
}
