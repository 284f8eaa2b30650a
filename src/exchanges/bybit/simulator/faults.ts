// Fault injection: latency, HTTP statuses (429, 5xx), Bybit retCodes, and timeouts (the
// connection is held open with no answer), for a path prefix, N times or with a probability.

import { RET, retMessage } from './envelope.ts';

/** What a fault does. */
export type FaultAction =
  | { kind: 'latency'; latencyMs: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string }
  | { kind: 'retCode'; retCode: number; retMsg?: string }
  | { kind: 'timeout' };

/** A fault as requested: an action plus where and how often it applies. */
export type FaultSpec = FaultAction & {
  /** Applies to request paths starting with this; '/v5/' by default. */
  pathPrefix?: string;
  /** Applies this many times, then is removed; unlimited by default. */
  times?: number;
  /** Chance in [0, 1] that a matching request is hit; 1 by default. */
  probability?: number;
};

/** A registered fault. */
export type Fault = FaultSpec & { id: string; pathPrefix: string; hits: number };

/** What the server does for one request after faults are applied. */
export interface FaultPlan {
  /** Total delay before answering. */
  latencyMs: number;
  /** The fault that replaces the real answer, if any. */
  terminal: Fault | undefined;
}

/** The fault registry. */
export interface FaultStore {
  add(spec: FaultSpec): Fault;
  clear(): number;
  list(): Fault[];
  /** Picks the faults hitting this request and consumes their counts. */
  plan(path: string): FaultPlan;
}

/** Creates an empty registry; `random` decides probabilistic faults (inject for determinism). */
export function createFaultStore(random: () => number = Math.random): FaultStore {
  let faults: Fault[] = [];
  let nextId = 1;
  return {
    add: (spec) => {
      const fault: Fault = { ...validateFault(spec), id: String(nextId++), hits: 0 };
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
      const latency = hit.filter((f) => f.kind === 'latency');
      const terminal = hit.find((f) => f.kind !== 'latency');
      for (const f of [...latency, ...(terminal ? [terminal] : [])]) f.hits++;
      faults = faults.filter((f) => f.times === undefined || f.hits < f.times);
      return { latencyMs: latency.reduce((sum, f) => sum + f.latencyMs, 0), terminal };
    },
  };
}

/** The body and status a terminal status/retCode fault answers with. */
export function faultRetCode(fault: Fault): { retCode: number; retMsg: string } {
  if (fault.kind !== 'retCode') return { retCode: RET.internal, retMsg: retMessage(RET.internal) };
  return { retCode: fault.retCode, retMsg: fault.retMsg ?? retMessage(fault.retCode) };
}

/** Checks a spec from the admin API or CLI; throws a readable Error when it is malformed. */
export function validateFault(spec: FaultSpec): FaultSpec & { pathPrefix: string } {
  const problem = FAULT_CHECKS.map((check) => check(spec)).find((p) => p !== undefined);
  if (problem !== undefined) throw new Error(problem);
  return { ...spec, pathPrefix: spec.pathPrefix ?? '/v5/' };
}

const within = (value: number, min: number, max: number): boolean => value >= min && value <= max;

// Each check names what is wrong with a spec, or returns undefined.
const FAULT_CHECKS: ReadonlyArray<(spec: FaultSpec) => string | undefined> = [
  (s) => (s.probability === undefined || within(s.probability, 0, 1) ? undefined : 'fault probability must be within [0, 1]'),
  (s) => (s.times === undefined || (Number.isInteger(s.times) && s.times > 0) ? undefined : 'fault times must be a positive integer'),
  (s) => (s.kind !== 'latency' || s.latencyMs >= 0 ? undefined : 'latencyMs must be >= 0'),
  (s) => (s.kind !== 'status' || (Number.isInteger(s.status) && within(s.status, 100, 599)) ? undefined : 'status must be an HTTP status code'),
  (s) => (s.kind !== 'retCode' || Number.isInteger(s.retCode) ? undefined : 'retCode must be an integer'),
];
