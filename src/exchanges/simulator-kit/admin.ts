// The control API every simulator serves under /__sim/: JSON in and out, unauthenticated, and
// therefore answered only for loopback callers. The kit serves the routes every venue has; the
// venue plugs in its keys (which it must return without secrets) and may add routes of its own.
//
//   GET    /__sim/keys              every key (deleted ones too)
//   GET    /__sim/keys/<id>         one key
//   PATCH  /__sim/keys/<id>         venue-specific patch
//   POST   /__sim/keys              add a key as a human would in the venue's UI (venues with create)
//   DELETE /__sim/keys/<id>         delete it as a human would (venues with remove)
//   GET    /__sim/faults            POST /__sim/faults {kind, ...}    DELETE /__sim/faults
//   GET    /__sim/requests          recent requests
//   POST   /__sim/rate-limits       {enabled: boolean}
//   POST   /__sim/reset

import type { SimControls } from './core.ts';
import type { FaultSpec, VenueFaultAction } from './faults.ts';
import { field, jsonBody } from './json-fields.ts';

/** An admin request. */
export interface AdminRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  rawBody: Buffer;
  /** Caller address, IPv4-mapped IPv6 already unwrapped. */
  ip: string;
}

/** An admin answer (always JSON). */
export interface AdminAnswer {
  status: number;
  body: unknown;
}

/** The venue's keys behind /__sim/keys; views must never carry secrets. */
export interface AdminKeys {
  list(): unknown[];
  get(id: string): unknown;
  /** Reads the venue's patch from `body` (throwing a readable Error when malformed) and applies it. */
  patch(id: string, body: unknown): unknown;
  /** Venues whose keys humans create: reads a new key from `body` and adds it (the answer may show its secret once). */
  create?(body: unknown): unknown;
  /** Venues whose keys humans delete: deletes the live key; undefined when there is none. */
  remove?(id: string): unknown;
}

/** What the control API drives. */
export interface AdminControls<V extends VenueFaultAction> {
  keys: AdminKeys;
  /** Faults, rate limits, history and reset (SimCore.controls). */
  sim: SimControls<V, object>;
  /** Reads a fault spec from admin JSON; throws a readable Error when malformed. */
  readFault(body: unknown): FaultSpec<V>;
  /** Venue-only routes, tried before the 404; undefined when the route is not the venue's. */
  extra?(req: AdminRequest): AdminAnswer | undefined;
}

const PREFIX = '/__sim/';
const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** True for control-API paths. */
export function isAdminPath(path: string): boolean {
  return path.startsWith(PREFIX) || path === '/__sim';
}

/** Serves one admin request: 403 off loopback, 400 with the Error's message when a body is malformed. */
export function handleAdmin<V extends VenueFaultAction>(controls: AdminControls<V>, req: AdminRequest): AdminAnswer {
  if (!LOOPBACK.has(req.ip)) return { status: 403, body: { error: 'the control API answers loopback callers only' } };
  try {
    return dispatch(controls, req);
  } catch (err) {
    return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
  }
}

// The kit's routes by "METHOD path"; each reads its body only when it needs one.
const ROUTES: Readonly<Record<string, (controls: AdminControls<VenueFaultAction>, rawBody: Buffer) => AdminAnswer>> = {
  'GET /__sim/keys': (c) => ({ status: 200, body: { keys: c.keys.list() } }),
  'GET /__sim/faults': (c) => ({ status: 200, body: { faults: c.sim.listFaults() } }),
  'POST /__sim/faults': (c, raw) => ({ status: 201, body: { fault: c.sim.addFault(c.readFault(jsonBody(raw))) } }),
  'DELETE /__sim/faults': (c) => ({ status: 200, body: { cleared: c.sim.clearFaults() } }),
  'GET /__sim/requests': (c) => ({ status: 200, body: { requests: c.sim.recentRequests() } }),
  'POST /__sim/rate-limits': (c, raw) => {
    const enabled = field(jsonBody(raw), 'enabled');
    if (typeof enabled !== 'boolean') throw new Error('enabled must be a boolean');
    c.sim.setRateLimits(enabled);
    return { status: 200, body: { enabled } };
  },
  'POST /__sim/reset': (c) => {
    c.sim.reset();
    return { status: 200, body: { reset: true } };
  },
};

function dispatch<V extends VenueFaultAction>(controls: AdminControls<V>, req: AdminRequest): AdminAnswer {
  const route = `${req.method} ${req.path.replace(/\/+$/, '')}`;
  const keyMatch = /^(GET|PATCH|DELETE) \/__sim\/keys\/([^/]+)$/.exec(route);
  if (keyMatch && !(keyMatch[1] === 'DELETE' && !controls.keys.remove)) {
    return keyRoute(controls.keys, keyMatch[1] ?? 'GET', decodeURIComponent(keyMatch[2] ?? ''), req.rawBody);
  }
  if (route === 'POST /__sim/keys' && controls.keys.create) return { status: 201, body: { key: controls.keys.create(jsonBody(req.rawBody)) } };
  const serve = ROUTES[route];
  if (serve) return serve(controls, req.rawBody);
  return controls.extra?.(req) ?? { status: 404, body: { error: `no admin route ${route}` } };
}

function keyRoute(keys: AdminKeys, method: string, id: string, rawBody: Buffer): AdminAnswer {
  const key = method === 'PATCH' ? keys.patch(id, jsonBody(rawBody)) : method === 'DELETE' ? keys.remove?.(id) : keys.get(id);
  return key === undefined ? { status: 404, body: { error: `no key ${id}` } } : { status: 200, body: { key } };
}
