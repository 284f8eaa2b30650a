// Deribit adapter: keys created with private/create_api_key (scope from permissions.ts, the owner
// tag as the key's `name`, a PEM public key for ed25519/rsa), bound to IPs with
// private/edit_api_key (create takes no whitelist), found with private/list_api_keys and removed
// with private/remove_api_key (which takes the numeric id, so revoke looks the key up first).
// The managing key needs scope account:read_write and a scope at least as wide as every key it
// creates (else 13403 scope_exceeded), and the account must not require TFA for API key management.

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
import { DERIBIT_MAINNET, createDeribitClient, type DeribitAuth, type DeribitClient } from './client.ts';
import { VENUE, deribitBadResponse, deribitInvalidRequest } from './errors.ts';
import { fromDeribitScope, toDeribitMaxScope } from './permissions.ts';
import { readKeyList, readKeyView, type DeribitKeyView } from './responses.ts';
import { sessionFor, signIn, subAccountIdOf } from './session.ts';

/** Test seams: the HTTP client (fakes, recorders). */
export interface DeribitAdapterDeps {
  http?: HttpClient;
}

/** Creates the `deribit` adapter. */
export function createDeribitAdapter(options: AdapterOptions, deps: DeribitAdapterDeps = {}): ExchangeAdapter {
  const client = createDeribitClient({
    endpoint: options.endpoint ?? DERIBIT_MAINNET,
    clock: options.clock,
    http: deps.http ?? httpClientFor(VENUE, options),
  });
  const session = (credentials: Credentials, account: string | undefined): Promise<DeribitAuth> =>
    sessionFor(client, options.clock, credentials, account);
  return {
    name: VENUE,
    create: async (master, request) => {
      const params = createKeyParams(request);
      return createKey(client, await session(master, request.account), params, request);
    },
    validate: async (key) => {
      // The key signs in itself, then reads its own entry (scope account:read suffices).
      const token = await signIn(client, options.clock, key);
      const keys = readKeyList(await client.call({ kind: 'bearer', token: token.accessToken }, 'private/list_api_keys'));
      return toKeyInfo(key.keyId, keys.find((k) => k.clientId === key.keyId), token.scope);
    },
    revoke: async (master, key) => revokeKey(client, await session(master, key.account), key),
    listOwned: async (master, ownerUid, account) => {
      const keys = readKeyList(await client.call(await session(master, account), 'private/list_api_keys'));
      return keys.flatMap((k) => ownedKey(k, ownerUid, account));
    },
  };
}

/** The create_api_key params for a request; throws invalid-request for what Deribit cannot grant. */
export function createKeyParams(request: KeyRequest): Record<string, unknown> {
  subAccountIdOf(request.account);
  const params: Record<string, unknown> = { max_scope: toDeribitMaxScope(request.permissions), name: formatOwnerTag(request.owner) };
  if (request.keyType === 'hmac') return params;
  if (request.publicKey === undefined || request.publicKey.trim() === '') {
    throw deribitInvalidRequest(`key type "${request.keyType}" needs the public key (PEM) to register`);
  }
  return { ...params, public_key: request.publicKey };
}

/** The IP whitelist for edit_api_key; Deribit binds single addresses. */
export function ipWhitelistOf(ipAllowlist: readonly string[]): string[] {
  const ips = ipAllowlist.map((ip) => ip.trim());
  const bad = ips.find((ip) => isIP(ip) === 0);
  if (bad !== undefined) throw deribitInvalidRequest(`IP allowlist entry "${bad}" is not a single IP address; Deribit whitelists addresses, not ranges`);
  return ips;
}

async function createKey(client: DeribitClient, auth: DeribitAuth, params: Record<string, unknown>, request: KeyRequest): Promise<IssuedKey> {
  const ips = ipWhitelistOf(request.ipAllowlist);
  const created = readKeyView(await client.call(auth, 'private/create_api_key', params));
  if (ips.length > 0) {
    try {
      await client.call(auth, 'private/edit_api_key', { id: created.id, max_scope: params.max_scope, ip_whitelist: ips });
    } catch (err) {
      // Never hand back a key without its IP binding: take it back (a failure here is left to the orphan sweep).
      await client.call(auth, 'private/remove_api_key', { id: created.id }).catch(() => undefined);
      throw err;
    }
  }
  if (request.keyType !== 'hmac') return { credentials: { keyId: created.clientId } };
  if (created.clientSecret === '') throw deribitBadResponse('create_api_key returned no client_secret');
  return { credentials: { keyId: created.clientId, secret: created.clientSecret } };
}

/** KeyInfo from the key's own list entry (its configured max_scope and whitelist), else its token scope. */
export function toKeyInfo(keyId: string, view: DeribitKeyView | undefined, tokenScope: string): KeyInfo {
  const mapped = fromDeribitScope(view?.maxScope ?? tokenScope);
  return {
    keyId,
    permissions: mapped.permissions,
    unmappedPermissions: mapped.unmappedPermissions,
    ipAllowlist: view?.ipWhitelist ?? [],
    withdrawEnabled: mapped.withdrawEnabled,
  };
}

/**
 * Removes a key by client id. A key no longer listed counts as revoked; a remove that fails because
 * the key vanished meanwhile is confirmed by listing again. Auth and permission failures never are.
 */
async function revokeKey(client: DeribitClient, auth: DeribitAuth, key: KeyRef): Promise<void> {
  const find = async (): Promise<DeribitKeyView | undefined> =>
    readKeyList(await client.call(auth, 'private/list_api_keys')).find((k) => k.clientId === key.keyId);
  const target = await find();
  if (!target) return;
  try {
    await client.call(auth, 'private/remove_api_key', { id: target.id });
  } catch (err) {
    if (!(err instanceof ExchangeError) || err.kind !== 'invalid-request' || (await find()) !== undefined) throw err;
  }
}

function ownedKey(view: DeribitKeyView, ownerUid: string, account: string | undefined): OwnedKey[] {
  const tag = isOwnedBy(view.name, ownerUid) ? parseOwnerTag(view.name) : undefined;
  if (!tag) return [];
  return [{ keyId: view.clientId, owner: { uid: ownerUid, version: tag.version }, ...(account === undefined ? {} : { account }) }];
}
