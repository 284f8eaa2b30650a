// The simulator's control API under /__sim/: JSON in and out, unauthenticated, and therefore
// answered only for loopback callers. Never returns key secrets.
//
//   GET    /__sim/keys              every key (deleted ones too)
//   GET    /__sim/keys/<apiKey>     one key
//   PATCH  /__sim/keys/<apiKey>     {readOnly?, permissions?, ips?, note?, expiredAt?}
//   GET    /__sim/faults            POST /__sim/faults {kind, ...}    DELETE /__sim/faults
//   GET    /__sim/requests          recent requests (path, apiKey, retCode)
//   POST   /__sim/rate-limits       {enabled: boolean}
//   POST   /__sim/reset

import type { BybitPermissionMap } from '../permissions.ts';
import { validateFault, type FaultSpec } from './faults.ts';
import type { SimulatorInternals } from './simulator-state.ts';
import type { KeyPatch } from './state.ts';

/** An admin request. */
export interface AdminRequest {
  method: string;
  path: string;
  rawBody: Buffer;
  ip: string;
}

/** An admin answer (always JSON). */
export interface AdminAnswer {
  status: number;
  body: unknown;
}

const PREFIX = '/__sim/';
const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** True for control-API paths. */
export function isAdminPath(path: string): boolean {
  return path.startsWith(PREFIX) || path === '/__sim';
}

/** Serves one admin request. */
export function handleAdmin(sim: SimulatorInternals, req: AdminRequest): AdminAnswer {
  if (!LOOPBACK.has(req.ip)) return { status: 403, body: { error: 'the control API answers loopback callers only' } };
  try {
    return dispatch(sim, req);
  } catch (err) {
    return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
  }
}

function dispatch(sim: SimulatorInternals, req: AdminRequest): AdminAnswer {
  const { state } = sim;
  const route = `${req.method} ${req.path.replace(/\/+$/, '')}`;
  const keyMatch = /^(GET|PATCH) \/__sim\/keys\/([^/]+)$/.exec(route);
  if (keyMatch) return keyRoute(sim, keyMatch[1] === 'PATCH', decodeURIComponent(keyMatch[2] ?? ''), req.rawBody);
  switch (route) {
    case 'GET /__sim/keys': return { status: 200, body: { keys: state.listKeys() } };
    case 'GET /__sim/faults': return { status: 200, body: { faults: state.listFaults() } };
    case 'POST /__sim/faults': return { status: 201, body: { fault: state.addFault(parseFaultSpec(jsonBody(req.rawBody))) } };
    case 'DELETE /__sim/faults': return { status: 200, body: { cleared: state.clearFaults() } };
    case 'GET /__sim/requests': return { status: 200, body: { requests: state.recentRequests() } };
    case 'POST /__sim/rate-limits': {
      const enabled = field(jsonBody(req.rawBody), 'enabled');
      if (typeof enabled !== 'boolean') throw new Error('enabled must be a boolean');
      state.setRateLimits(enabled);
      return { status: 200, body: { enabled } };
    }
    case 'POST /__sim/reset':
      state.reset();
      return { status: 200, body: { reset: true } };
    default: return { status: 404, body: { error: `no admin route ${route}` } };
  }
}

function keyRoute(sim: SimulatorInternals, patch: boolean, apiKey: string, rawBody: Buffer): AdminAnswer {
  const key = patch ? sim.state.patchKey(apiKey, parseKeyPatch(jsonBody(rawBody))) : sim.state.getKey(apiKey);
  return key ? { status: 200, body: { key } } : { status: 404, body: { error: `no key ${apiKey}` } };
}

/** Reads a fault spec from JSON; throws a readable Error when malformed. */
export function parseFaultSpec(value: unknown): FaultSpec {
  const kind = field(value, 'kind');
  const common = {
    ...optional(value, 'pathPrefix', 'string'),
    ...optional(value, 'times', 'number'),
    ...optional(value, 'probability', 'number'),
  };
  const num = (name: string): number => {
    const v = field(value, name);
    if (typeof v !== 'number') throw new Error(`${name} must be a number`);
    return v;
  };
  switch (kind) {
    case 'latency': return validateFault({ kind, latencyMs: num('latencyMs'), ...common });
    case 'status':
      return validateFault({
        kind, status: num('status'), ...common,
        ...optional(value, 'retryAfterSeconds', 'number'), ...optional(value, 'body', 'string'),
      });
    case 'retCode': return validateFault({ kind, retCode: num('retCode'), ...common, ...optional(value, 'retMsg', 'string') });
    case 'timeout': return validateFault({ kind, ...common });
    default: throw new Error('kind must be one of latency, status, retCode, timeout');
  }
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

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${name} must be a list of strings`);
  return value;
}

function jsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error('body is not JSON');
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function optional(value: unknown, name: string, type: 'string' | 'number'): Record<string, string | number> {
  const v = field(value, name);
  if (v === undefined) return {};
  if (typeof v !== type) throw new Error(`${name} must be a ${type}`);
  return { [name]: v as string | number };
}
