// Bybit's part of the /__sim/ control API (the kit serves the routes, loopback callers only):
// PATCH /__sim/keys/<apiKey> takes {readOnly?, permissions?, ips?, note?, expiredAt?}. Key views
// never include secrets.

import { handleAdmin as handleKitAdmin, type AdminAnswer, type AdminRequest } from '../../simulator-kit/admin.ts';
import { field, stringList } from '../../simulator-kit/json-fields.ts';
import type { BybitPermissionMap } from '../permissions.ts';
import type { SimulatorInternals } from './simulator-state.ts';
import type { KeyPatch } from './state.ts';

/** Serves one admin request against this simulator (see simulator-kit/admin.ts for the routes). */
export function handleAdmin(sim: SimulatorInternals, req: AdminRequest): AdminAnswer {
  return handleKitAdmin(sim.admin, req);
}

/** Reads a key patch from JSON; throws a readable Error when malformed. */
export function parseKeyPatch(value: unknown): KeyPatch {
  const patch: KeyPatch = {};
  const readOnly = field(value, 'readOnly');
  if (readOnly !== undefined) {
    if (readOnly !== 0 && readOnly !== 1) throw new Error('readOnly must be 0 or 1');
    patch.readOnly = readOnly;
  }
  const permissions = field(value, 'permissions');
  if (permissions !== undefined) patch.permissions = permissionMap(permissions);
  const ips = field(value, 'ips');
  if (ips !== undefined) patch.ips = stringList(ips, 'ips');
  const note = field(value, 'note');
  if (note !== undefined) {
    if (typeof note !== 'string') throw new Error('note must be a string');
    patch.note = note;
  }
  const expiredAt = field(value, 'expiredAt');
  if (expiredAt !== undefined) {
    if (expiredAt !== null && (typeof expiredAt !== 'string' || Number.isNaN(Date.parse(expiredAt)))) {
      throw new Error('expiredAt must be an ISO time or null');
    }
    patch.expiredAt = expiredAt;
  }
  return patch;
}

function permissionMap(value: unknown): BybitPermissionMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('permissions must be an object');
  const map: BybitPermissionMap = {};
  for (const [category, values] of Object.entries(value as Record<string, unknown>)) {
    map[category] = stringList(values, `permissions.${category}`);
  }
  return map;
}
