// The OKX simulator on the kit's HTTP scaffold. One venue request: faults → route lookup →
// authentication over the raw bytes → who may call the route → per-User-ID rate limit → body
// checks → handler → OKX envelope. The kit keeps the raw query string and body exactly as
// received, so signatures are checked like OKX does.

import type { ServerResponse } from 'node:http';
import type { Logger } from '../../../observability/logger.ts';
import { systemClock, type Clock } from '../../../runtime/clock.ts';
import { parseJsonObject } from '../../json.ts';
import { applyFaults, sendAnswer } from '../../simulator-kit/fault-response.ts';
import { listenOptions, startSimServer, type SimRequest, type SimServer } from '../../simulator-kit/http-server.ts';
import { VENUE } from '../errors.ts';
import { authenticate } from './auth.ts';
import { CODE, envelope, fail, httpStatusFor, type OkxResult } from './envelope.ts';
import { codeFaultAnswer } from './faults.ts';
import { accessRefusal, findRoute, publicTime, type PrivateRoute } from './routes.ts';
import { createSimulatorState, type OkxSimulatorState, type RequestRecord, type SimulatorInternals } from './simulator-state.ts';
import { findLiveKey } from './state.ts';

/** Options for startOkxSimulator. */
export interface OkxSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  masterKey: string;
  masterSecret: string;
  masterPassphrase: string;
  /** Defaults to "100000000000000001". */
  masterUid?: string;
  /** IPs or segments the master key is bound to; loopback by default (OKX requires a binding to manage keys). */
  masterIps?: string[];
  /** Only these sub-accounts exist; otherwise any valid name is provisioned on first use. */
  subAccounts?: string[];
  /** Venue time: timestamp window, key creation, idle expiry, rate-limit windows. */
  clock?: Clock;
  /** Per-User-ID rate limits; on by default. */
  rateLimits?: boolean;
  logger?: Logger;
  /** Decides probabilistic faults; Math.random by default. */
  random?: () => number;
}

/** A running simulator. */
export interface OkxSimulator extends SimServer {
  state: OkxSimulatorState;
}

/** The master binding when none is given: loopback, where tests and the dev environment call from. */
export const DEFAULT_MASTER_IPS: readonly string[] = ['127.0.0.1', '::1'];

/** Starts an OKX simulator. */
export async function startOkxSimulator(options: OkxSimulatorOptions): Promise<OkxSimulator> {
  const clock = options.clock ?? systemClock;
  const sim = createSimulatorState({
    masterKey: options.masterKey,
    masterSecret: options.masterSecret,
    masterPassphrase: options.masterPassphrase,
    masterUid: options.masterUid ?? '100000000000000001',
    masterIps: options.masterIps ?? DEFAULT_MASTER_IPS,
    ...(options.subAccounts ? { subAccounts: options.subAccounts } : {}),
  }, { clock, rateLimits: options.rateLimits ?? true, ...(options.random ? { random: options.random } : {}) });
  const server = await startSimServer({
    venue: VENUE, admin: sim.admin, handle: (req, res) => handle(sim, req, res, options.logger), ...listenOptions(options),
  });
  return { ...server, state: sim.state };
}

type Recorder = (entry: Pick<RequestRecord, 'httpStatus' | 'code' | 'fault'>) => void;

// Writes the request log entry and the debug line for one request.
function recorderFor(sim: SimulatorInternals, req: SimRequest, logger: Logger | undefined): Recorder {
  const apiKey = req.headers['ok-access-key'] ?? '';
  const at = { method: req.method, path: req.path };
  return (entry) => {
    sim.core.requests.record({ ...at, apiKey, ...withoutUndefined(entry) });
    logger?.debug({ ...at, apiKey: mask(apiKey), httpStatus: entry.httpStatus, code: entry.code }, 'okx simulator request');
  };
}

async function handle(sim: SimulatorInternals, req: SimRequest, res: ServerResponse, logger: Logger | undefined): Promise<void> {
  const record = recorderFor(sim, req, logger);
  // Latency is real time even under a fake venue clock: it is about sockets, not venue time.
  const sleep = (ms: number): Promise<void> => systemClock.sleep(ms);
  const outcome = await applyFaults(res, sim.core.faults.plan(req.path), { venue: VENUE, sleep, venueError: codeFaultAnswer });
  if (outcome) {
    const { fault } = outcome;
    record({ httpStatus: outcome.httpStatus, fault: outcome.label, ...(fault.kind === 'code' ? { code: fault.code } : {}) });
    return;
  }
  const answer = route(sim, req);
  if (answer === 'not-found') {
    sendAnswer(res, { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' });
    record({ httpStatus: 404 });
    return;
  }
  const httpStatus = httpStatusFor(answer.code);
  sendAnswer(res, { status: httpStatus, headers: { 'Content-Type': 'application/json' }, body: envelope(answer) });
  record({ httpStatus, code: answer.code });
}

function route(sim: SimulatorInternals, req: SimRequest): OkxResult | 'not-found' {
  const nowMs = sim.clock.nowMs();
  if (req.path === '/api/v5/public/time') return req.method === 'GET' ? publicTime(nowMs) : fail(CODE.method);
  const found = findRoute(req.method, req.path);
  if (found === undefined) return 'not-found';
  if (found === 'wrong-method') return fail(CODE.method);
  const auth = authenticate({ ...req, nowMs }, (apiKey) => findLiveKey(sim.account(), apiKey, nowMs));
  if (!auth.ok) return auth.refusal;
  // OKX counts a signed call as use of the key (the 14-day idle rule).
  auth.key.lastUsedAtMs = nowMs;
  const refusal = accessRefusal(found, auth.key) ?? limitRefusal(sim, `${req.method} ${req.path}`, auth.key.uid, nowMs);
  if (refusal) return refusal;
  const body = readBody(req, found);
  if (!('params' in body)) return body;
  return found.handle({ account: sim.account(), caller: auth.key, query: new URLSearchParams(req.rawQuery), body: body.params, nowMs });
}

// Only admitted calls count against the per-User-ID limit.
function limitRefusal(sim: SimulatorInternals, endpoint: string, uid: string, nowMs: number): OkxResult | undefined {
  const decision = sim.core.limiter.take(uid, endpoint, nowMs);
  return decision && !decision.allowed ? fail(CODE.rateLimit) : undefined;
}

// POST bodies must be non-empty JSON objects sent as application/json (50000, 50006, 50002).
function readBody(req: SimRequest, route: PrivateRoute): { params: Record<string, unknown> } | OkxResult {
  if (route.method === 'GET') return { params: {} };
  if (req.rawBody.length === 0) return fail(CODE.bodyEmpty);
  if (!(req.headers['content-type'] ?? '').toLowerCase().includes('application/json')) return fail(CODE.contentType);
  const params = parseJsonObject(req.rawBody);
  return params ? { params } : fail(CODE.jsonSyntax);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// API keys are public identifiers, but logs keep only a prefix anyway.
function mask(apiKey: string): string | undefined {
  return apiKey !== '' ? `${apiKey.slice(0, 4)}…` : undefined;
}
