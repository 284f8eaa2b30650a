// Fault injection shared by every venue simulator: latency, HTTP statuses (429, 5xx, with
// Retry-After), timeouts (the connection is held open with no answer), and one venue-specific
// "venue error" action (Bybit: {kind:'retCode', retCode, retMsg}), each for a path prefix,
// N times or with a probability. The venue supplies its action's kind, checks and JSON reader.

import { field, optionalField, requireNumber } from './json-fields.ts';

/** The actions every simulator understands. */
export type CommonFaultAction =
  | { kind: 'latency'; latencyMs: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string }
  | { kind: 'timeout' };

/** Where and how often a fault applies. */
export interface FaultScope {
  /** Applies to request paths starting with this; the venue's default prefix otherwise. */
  pathPrefix?: string;
  /** Applies this many times, then is removed; unlimited by default. */
  times?: number;
  /** Chance in [0, 1] that a matching request is hit; 1 by default. */
  probability?: number;
}

/** A venue's own error action: any object with a `kind` none of the common actions use. */
export interface VenueFaultAction {
  kind: string;
}

/** A fault as requested: an action plus its scope. V is the venue's error action. */
export type FaultSpec<V extends VenueFaultAction> = (CommonFaultAction | V) & FaultScope;

/** A registered fault. */
export type Fault<V extends VenueFaultAction> = FaultSpec<V> & { id: string; pathPrefix: string; hits: number };

/** What the server does for one request after faults are applied. */
export interface FaultPlan<V extends VenueFaultAction> {
  /** Total delay before answering. */
  latencyMs: number;
  /** The fault that replaces the real answer, if any. */
  terminal: Fault<V> | undefined;
}

/** How a venue describes its error action to the kit. */
export interface VenueFaultKind<V extends VenueFaultAction> {
  /** The action's kind, e.g. 'retCode'. */
  kind: V['kind'];
  /** Reads the action from admin JSON (scope fields are read by the kit); throws a readable Error. */
  read(value: unknown): V;
  /** What is wrong with the action, or undefined. */
  check?(action: V): string | undefined;
}

/** Settings of a fault store. */
export interface FaultStoreOptions<V extends VenueFaultAction> {
  venue: VenueFaultKind<V>;
  /** pathPrefix for faults that name none (e.g. '/v5/' for Bybit). */
  defaultPathPrefix: string;
  /** Decides probabilistic faults; inject for determinism. Math.random by default. */
  random?: () => number;
}

/** The fault registry. */
export interface FaultStore<V extends VenueFaultAction> {
  /** Validates and registers a fault; throws a readable Error when the spec is malformed. */
  add(spec: FaultSpec<V>): Fault<V>;
  /** Removes every fault; returns how many there were. */
  clear(): number;
  list(): Fault<V>[];
  /** Picks the faults hitting this request and consumes their counts. */
  plan(path: string): FaultPlan<V>;
}

/** Creates an empty registry. */
export function createFaultStore<V extends VenueFaultAction>(options: FaultStoreOptions<V>): FaultStore<V> {
  const random = options.random ?? Math.random;
  let faults: Fault<V>[] = [];
  let nextId = 1;
  return {
    add: (spec) => {
      const fault: Fault<V> = { ...validateFault(spec, options), id: String(nextId++), hits: 0 };
      faults.push(fault);
      return fault;
    },
    clear: () => {
      const count = faults.length;
      faults = [];
      return count;
    },
    list: () => faults.map((f) => ({ ...f })),
    plan: (path) => {
      const hit = faults.filter((f) => path.startsWith(f.pathPrefix) && random() < (f.probability ?? 1));
      const latency = hit.filter(isLatency);
      const terminal = hit.find((f) => !isLatency(f));
      for (const f of [...latency, ...(terminal ? [terminal] : [])]) f.hits++;
      faults = faults.filter((f) => f.times === undefined || f.hits < f.times);
      return { latencyMs: latency.reduce((sum, f) => sum + f.latencyMs, 0), terminal };
    },
  };
}

/** Checks a spec from the admin API, CLI or a test; throws a readable Error when it is malformed. */
export function validateFault<V extends VenueFaultAction>(
  spec: FaultSpec<V>,
  options: Pick<FaultStoreOptions<V>, 'venue' | 'defaultPathPrefix'>,
): FaultSpec<V> & { pathPrefix: string } {
  const venueCheck = (s: FaultSpec<V>): string | undefined =>
    s.kind === options.venue.kind ? options.venue.check?.(s as V) : undefined;
  const problem = [...COMMON_CHECKS, venueCheck].map((check) => check(spec)).find((p) => p !== undefined);
  if (problem !== undefined) throw new Error(problem);
  return { ...spec, pathPrefix: spec.pathPrefix ?? options.defaultPathPrefix };
}

/** Reads a fault spec from admin JSON; throws a readable Error when malformed (validation is add()'s). */
export function parseFaultSpec<V extends VenueFaultAction>(value: unknown, venue: VenueFaultKind<V>): FaultSpec<V> {
  const kind = field(value, 'kind');
  const scope: FaultScope = {
    ...optionalField(value, 'pathPrefix', 'string'),
    ...optionalField(value, 'times', 'number'),
    ...optionalField(value, 'probability', 'number'),
  };
  switch (kind) {
    case 'latency': return { kind, latencyMs: requireNumber(value, 'latencyMs'), ...scope };
    case 'status':
      return {
        kind, status: requireNumber(value, 'status'), ...scope,
        ...optionalField(value, 'retryAfterSeconds', 'number'), ...optionalField(value, 'body', 'string'),
      };
    case 'timeout': return { kind, ...scope };
    default:
      if (kind === venue.kind) return { ...venue.read(value), ...scope };
      throw new Error(`kind must be one of latency, status, ${venue.kind}, timeout`);
  }
}

function isLatency<V extends VenueFaultAction>(fault: Fault<V>): fault is Fault<V> & { kind: 'latency'; latencyMs: number } {
  return fault.kind === 'latency' && typeof (fault as { latencyMs?: unknown }).latencyMs === 'number';
}

const within = (value: number, min: number, max: number): boolean => value >= min && value <= max;

// Each check names what is wrong with a spec, or returns undefined.
const COMMON_CHECKS: ReadonlyArray<(spec: FaultScope & { kind: string; latencyMs?: unknown; status?: unknown }) => string | undefined> = [
  (s) => (s.probability === undefined || within(s.probability, 0, 1) ? undefined : 'fault probability must be within [0, 1]'),
  (s) => (s.times === undefined || (Number.isInteger(s.times) && s.times > 0) ? undefined : 'fault times must be a positive integer'),
  (s) => (s.kind !== 'latency' || (typeof s.latencyMs === 'number' && s.latencyMs >= 0) ? undefined : 'latencyMs must be >= 0'),
  (s) => (s.kind !== 'status' || (typeof s.status === 'number' && Number.isInteger(s.status) && within(s.status, 100, 599)) ? undefined : 'status must be an HTTP status code'),
];
