// Deribit's part of the /__sim/ control API (the kit serves the routes, loopback callers only):
// PATCH /__sim/keys/<client_id> takes {max_scope?, ip_whitelist?, name?, enabled?}, and
// POST /__sim/tfa {enabled} turns the account's TFA for API key management on or off.
// Key views never include secrets.

import type { AdminAnswer, AdminRequest } from '../../simulator-kit/admin.ts';
import { field, jsonBody, stringList } from '../../simulator-kit/json-fields.ts';
import { readMaxScope } from './scope.ts';
import type { KeyPatch } from './simulator-state.ts';

/** Reads a key patch from JSON; throws a readable Error when malformed. */
export function parseKeyPatch(value: unknown): KeyPatch {
  const patch: KeyPatch = {};
  const scope = field(value, 'max_scope');
  if (scope !== undefined) {
    if (typeof scope !== 'string' || typeof readMaxScope(scope) === 'string') throw new Error('max_scope must be a Deribit scope string');
    patch.maxScope = scope;
  }
  const ips = field(value, 'ip_whitelist');
  if (ips !== undefined) patch.ipWhitelist = stringList(ips, 'ip_whitelist');
  const name = field(value, 'name');
  if (name !== undefined) {
    if (typeof name !== 'string') throw new Error('name must be a string');
    patch.name = name;
  }
  const enabled = field(value, 'enabled');
  if (enabled !== undefined) {
    if (typeof enabled !== 'boolean') throw new Error('enabled must be a boolean');
    patch.enabled = enabled;
  }
  return patch;
}

/** The venue's extra admin routes; undefined for any other path. */
export function extraAdmin(setTfa: (enabled: boolean) => void, req: AdminRequest): AdminAnswer | undefined {
  if (req.method !== 'POST' || req.path.replace(/\/+$/, '') !== '/__sim/tfa') return undefined;
  const enabled = field(jsonBody(req.rawBody), 'enabled');
  if (typeof enabled !== 'boolean') throw new Error('enabled must be a boolean');
  setTfa(enabled);
  return { status: 200, body: { tfa: enabled } };
}
