// The Binance simulator on the kit's HTTP scaffold. One venue request: faults → route lookup →
// per-IP weight (IP-limited endpoints) → authentication over the raw bytes → master-only rule →
// per-UID weight (UID-limited endpoints) → handler → JSON answer or `{code, msg}`.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { simulatorSettings, startVenueServer, type CommonSimulatorOptions, type RunningSimulator } from '../../simulator-kit/venue-server.ts';
import { authenticate } from './auth.ts';
import type { SignedRoute } from './context.ts';
import { CODE, errorBody, fail, httpStatusFor, type SimFailure, type SimResult } from './envelope.ts';
import { binanceErrorFaultAnswer, type BinanceErrorFault } from './faults.ts';
import { binanceLimitHeaders, breachAnswer, bucketOf } from './rate-limit.ts';
import { SIGNED_ROUTES, serverTime } from './routes.ts';
import { createSimulatorState, type BinanceRecord, type BinanceSimulatorState, type SimulatorInternals } from './simulator-state.ts';
import { findKey, type SimKey } from './state.ts';

/** Options for startBinanceSimulator. */
export interface BinanceSimulatorOptions extends CommonSimulatorOptions {
  masterKey: string;
  masterSecret: string;
  /** Defaults to "100000001". */
  masterUid?: string;
  /** Only these sub-account emails exist; otherwise any email is provisioned on first use. */
  subAccounts?: string[];
}

/** A running simulator. */
export type BinanceSimulator = RunningSimulator<BinanceSimulatorState>;

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Starts a Binance SAPI simulator listening on host:port. */
export async function startBinanceSimulator(options: BinanceSimulatorOptions): Promise<BinanceSimulator> {
  const sim = createSimulatorState({
    masterKey: options.masterKey,
    masterSecret: options.masterSecret,
    masterUid: options.masterUid ?? '100000001',
    ...(options.subAccounts ? { subAccounts: options.subAccounts } : {}),
  }, simulatorSettings(options));
  const server = await startVenueServer<BinanceErrorFault, BinanceRecord>({
    venue: 'binance',
    core: sim.core,
    admin: sim.admin,
    apiKeyHeader: 'x-mbx-apikey',
    venueError: (action) => ({ answer: binanceErrorFaultAnswer(action), record: { code: action.code } }),
    answer: (req) => {
      const { http, code } = route(sim, req);
      return { answer: http, record: code === undefined ? {} : { code } };
    },
  }, options);
  return { ...server, state: sim.state };
}

function route(sim: SimulatorInternals, req: SimRequest): { http: SimAnswer; code?: number } {
  const nowMs = sim.clock.nowMs();
  if (req.method === 'GET' && req.path === '/api/v3/time') return answerOf(serverTime(nowMs), {});
  const routeKey = `${req.method} ${req.path}`;
  const routeDef = SIGNED_ROUTES[routeKey];
  // Binance answers unknown paths with a bare 404.
  if (!routeDef) return { http: { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' } };
  const gate = admit(sim, req, { routeKey, route: routeDef, nowMs });
  if ('refusal' in gate) return answerOf(gate.refusal, gate.headers, gate.retryAfterSeconds);
  const result = routeDef.handle({ account: sim.account(), caller: gate.key, params: gate.params, rawQuery: req.rawQuery, nowMs });
  return answerOf(result, gate.headers);
}

type Gate =
  | { key: SimKey; params: URLSearchParams; headers: Record<string, string> }
  | { refusal: SimFailure; headers: Record<string, string>; retryAfterSeconds?: number };

/** A weight decision as headers, and the refusal when the caller is over the limit. */
interface Limit {
  headers: Record<string, string>;
  breach?: { refusal: SimFailure; retryAfterSeconds: number };
}

/** The route a request resolved to, at venue time. */
interface Call {
  routeKey: string;
  route: SignedRoute;
  nowMs: number;
}

// IP weight is counted before authentication (Binance knows the IP first), UID weight after.
function admit(sim: SimulatorInternals, req: SimRequest, call: Call): Gate {
  const { per } = call.route.weight;
  const { nowMs } = call;
  const ipLimit = per === 'ip' ? weigh(sim, req.ip, call) : { headers: {} };
  if (ipLimit.breach) return { ...ipLimit.breach, headers: ipLimit.headers };
  const auth = authenticate({ ...req, nowMs }, (id) => findKey(sim.account(), id));
  if (!auth.ok) return { refusal: auth.refusal, headers: ipLimit.headers };
  if (call.route.masterOnly && !auth.key.isMaster) return { refusal: fail(CODE.unauthorized), headers: {} };
  const limit = per === 'uid' ? weigh(sim, auth.key.uid, call) : ipLimit;
  if (limit.breach) return { ...limit.breach, headers: limit.headers };
  return { key: auth.key, params: auth.params, headers: limit.headers };
}

function weigh(sim: SimulatorInternals, caller: string, { routeKey, route, nowMs }: Call): Limit {
  const { per, cost } = route.weight;
  const decision = sim.core.limiter.take(caller, bucketOf(routeKey, per), nowMs, cost);
  if (!decision) return { headers: {} };
  const headers = binanceLimitHeaders(per, decision);
  if (decision.allowed) return { headers };
  const breach = breachAnswer(per, decision, nowMs);
  return { headers, breach: { refusal: fail(CODE.tooManyRequests, breach.msg), retryAfterSeconds: breach.retryAfterSeconds } };
}

function answerOf(result: SimResult, headers: Record<string, string>, retryAfterSeconds?: number): { http: SimAnswer; code?: number } {
  if (result.ok) return { http: { status: 200, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(result.body) } };
  const extra: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  return {
    http: { status: httpStatusFor(result.code), headers: { ...JSON_TYPE, ...headers, ...extra }, body: errorBody(result.code, result.msg) },
    code: result.code,
  };
}
