// The Bybit simulator on the kit's HTTP scaffold. One venue request: faults → route lookup →
// authentication over the raw bytes → per-UID rate limit → handler → Bybit envelope. The kit
// keeps the raw query string and body exactly as received, so signatures are checked like Bybit does.

import type { ServerResponse } from 'node:http';
import type { Logger } from '../../../observability/logger.ts';
import { systemClock, type Clock } from '../../../runtime/clock.ts';
import { parseJsonObject } from '../../json.ts';
import { applyFaults, sendAnswer } from '../../simulator-kit/fault-response.ts';
import { startSimServer, type SimRequest } from '../../simulator-kit/http-server.ts';
import { authenticate } from './auth.ts';
import { RET, envelope, fail, httpStatusFor, type RetResult } from './envelope.ts';
import { faultRetCode, retCodeFaultAnswer } from './faults.ts';
import { bybitLimitHeaders } from './rate-limit.ts';
import { PRIVATE_ROUTES, marketTime } from './routes.ts';
import { createSimulatorState, type BybitSimulatorState, type RequestRecord, type SimulatorInternals } from './simulator-state.ts';
import { findKey, type SimKey } from './state.ts';

/** Options for startBybitSimulator. */
export interface BybitSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  masterKey: string;
  masterSecret: string;
  /** Defaults to "100000001". */
  masterUid?: string;
  /** Venue time: server_time, key creation/expiry, rate-limit windows. */
  clock?: Clock;
  /** Per-UID rate limits; on by default. */
  rateLimits?: boolean;
  /** Only these sub uids exist; otherwise any numeric sub uid is provisioned on first use. */
  subUids?: string[];
  logger?: Logger;
  /** Decides probabilistic faults; Math.random by default. */
  random?: () => number;
}

/** A running simulator. */
export interface BybitSimulator {
  url: string;
  port: number;
  /** Closes the server and every open connection; safe to call more than once. */
  stop(): Promise<void>;
  state: BybitSimulatorState;
}

const VENUE = 'bybit';

/** Starts a Bybit v5 simulator listening on host:port. */
export async function startBybitSimulator(options: BybitSimulatorOptions): Promise<BybitSimulator> {
  const clock = options.clock ?? systemClock;
  const sim = createSimulatorState({
    masterKey: options.masterKey,
    masterSecret: options.masterSecret,
    masterUid: options.masterUid ?? '100000001',
    ...(options.subUids ? { subUids: options.subUids } : {}),
  }, { clock, rateLimits: options.rateLimits ?? true, ...(options.random ? { random: options.random } : {}) });
  const server = await startSimServer({
    venue: VENUE,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    admin: sim.admin,
    handle: (req, res) => handle(sim, req, res, options.logger),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { ...server, state: sim.state };
}

async function handle(sim: SimulatorInternals, req: SimRequest, res: ServerResponse, logger: Logger | undefined): Promise<void> {
  const apiKey = req.headers['x-bapi-api-key'] ?? '';
  const record = (entry: Pick<RequestRecord, 'httpStatus' | 'retCode' | 'fault'>): void => {
    sim.core.requests.record({ method: req.method, path: req.path, apiKey, ...withoutUndefined(entry) });
    logger?.debug({ method: req.method, path: req.path, apiKey: mask(apiKey), httpStatus: entry.httpStatus, retCode: entry.retCode }, 'bybit simulator request');
  };
  // Latency is real time even under a fake venue clock: it is about sockets, not venue time.
  const outcome = await applyFaults(res, sim.core.faults.plan(req.path), {
    venue: VENUE,
    sleep: (ms) => systemClock.sleep(ms),
    venueError: (action) => retCodeFaultAnswer(action, sim.clock.nowMs()),
  });
  if (outcome) {
    const { fault } = outcome;
    record({ httpStatus: outcome.httpStatus, fault: outcome.label, ...(fault.kind === 'retCode' ? { retCode: faultRetCode(fault).retCode } : {}) });
    return;
  }
  const { result, headers } = route(sim, req);
  const httpStatus = httpStatusFor(result.retCode);
  sendAnswer(res, { status: httpStatus, headers: { 'Content-Type': 'application/json', ...headers }, body: envelope(result, sim.clock.nowMs()) });
  record({ httpStatus, retCode: result.retCode });
}

function route(sim: SimulatorInternals, req: SimRequest): { result: RetResult; headers: Record<string, string> } {
  const nowMs = sim.clock.nowMs();
  if (req.method === 'GET' && req.path === '/v5/market/time') return { result: marketTime(nowMs), headers: {} };
  const routeDef = PRIVATE_ROUTES[`${req.method} ${req.path}`];
  if (!routeDef) return { result: fail(RET.routeNotFound), headers: {} };
  const gate = admit(sim, req, routeDef.masterOnly);
  if (!gate.key) return { result: gate.refusal, headers: gate.headers };
  const body = req.method === 'POST' ? parseJsonObject(req.rawBody) : {};
  const result = body === undefined
    ? fail(RET.params, 'request body is not a JSON object')
    : routeDef.handle({ account: sim.account(), caller: gate.key, query: new URLSearchParams(req.rawQuery), body, nowMs });
  return { result, headers: gate.headers };
}

type Gate = { key: SimKey; headers: Record<string, string> } | { key?: undefined; refusal: RetResult; headers: Record<string, string> };

// Authentication, the master-only rule, then the per-UID limit (only admitted calls count).
function admit(sim: SimulatorInternals, req: SimRequest, masterOnly: boolean): Gate {
  const nowMs = sim.clock.nowMs();
  const auth = authenticate({ ...req, nowMs }, (apiKey) => findKey(sim.account(), apiKey));
  if (!auth.ok) return { refusal: auth.refusal, headers: {} };
  if (masterOnly && !auth.key.isMaster) return { refusal: fail(RET.permission), headers: {} };
  const limit = sim.core.limiter.take(auth.key.uid, req.path, nowMs);
  const headers = limit ? bybitLimitHeaders(limit) : {};
  if (limit && !limit.allowed) return { refusal: fail(RET.rateLimit), headers };
  return { key: auth.key, headers };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// API keys are public identifiers, but logs keep only a prefix anyway.
function mask(apiKey: string): string | undefined {
  return apiKey !== '' ? `${apiKey.slice(0, 4)}…` : undefined;
}
