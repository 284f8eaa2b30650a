// The Deribit simulator on the kit's HTTP scaffold. One request: faults → read the JSON-RPC call
// (GET /api/v2/<method>?params, or a JSON-RPC body POSTed to /api/v2/<method> or /api/v2) →
// public method, or authentication over the raw bytes → credit limit → scope/TFA → handler →
// Deribit's answer. The kit keeps the raw query and body exactly as received.

import type { ServerResponse } from 'node:http';
import type { Logger } from '../../../observability/logger.ts';
import { systemClock, type Clock } from '../../../runtime/clock.ts';
import { isRecord } from '../../json.ts';
import { applyFaults, sendAnswer } from '../../simulator-kit/fault-response.ts';
import { startSimServer, type SimRequest, type SimServer } from '../../simulator-kit/http-server.ts';
import { VENUE } from '../errors.ts';
import { authenticatePrivate } from './auth.ts';
import { RPC, envelope, fail, httpStatusFor, rpcMessage, type RpcResult } from './envelope.ts';
import { rpcErrorFaultAnswer } from './faults.ts';
import { PUBLIC_METHODS } from './public.ts';
import { CREDIT_POOL, REQUEST_COST } from './rate-limit.ts';
import { PRIVATE_METHODS, callPrivate } from './routes.ts';
import { createSimulatorState, type DeribitSimulatorState, type RequestRecord, type SimulatorInternals } from './simulator-state.ts';

/** Options for startDeribitSimulator. */
export interface DeribitSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** The managing key of the main account (scope: everything). */
  masterKey: string;
  masterSecret: string;
  /** Main account id; defaults to 100. */
  mainAccountId?: number;
  /** Only these sub-accounts exist; otherwise any other numeric id is provisioned on first use. */
  subAccountIds?: number[];
  /** The account requires TFA for API key management (create/edit/list answer security_key_authorization_required). */
  tfa?: boolean;
  /** Venue time: signature windows, tokens, credit windows. */
  clock?: Clock;
  /** The credit limit; on by default. */
  rateLimits?: boolean;
  logger?: Logger;
  /** Decides probabilistic faults; Math.random by default. */
  random?: () => number;
}

/** A running simulator. */
export interface DeribitSimulator extends SimServer {
  state: DeribitSimulatorState;
}

/** Starts the simulator. */
export async function startDeribitSimulator(options: DeribitSimulatorOptions): Promise<DeribitSimulator> {
  const clock = options.clock ?? systemClock;
  const sim = createSimulatorState({
    masterKey: options.masterKey,
    masterSecret: options.masterSecret,
    ...(options.mainAccountId === undefined ? {} : { mainAccountId: options.mainAccountId }),
    ...(options.subAccountIds ? { subAccountIds: options.subAccountIds } : {}),
    ...(options.tfa === undefined ? {} : { tfa: options.tfa }),
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

/** One JSON-RPC call read from a request. */
interface Call {
  id: unknown;
  method: string;
  params: Record<string, unknown>;
}

async function handle(sim: SimulatorInternals, req: SimRequest, res: ServerResponse, logger: Logger | undefined): Promise<void> {
  const receivedAtMs = sim.clock.nowMs();
  const call = readCall(req);
  const record = (entry: Pick<RequestRecord, 'httpStatus' | 'code' | 'fault' | 'clientId'>): void => {
    const method = 'error' in call ? '' : call.method;
    sim.core.requests.record({ httpMethod: req.method, path: req.path, method, ...withoutUndefined(entry) });
    logger?.debug({ path: req.path, method, clientId: entry.clientId, httpStatus: entry.httpStatus, code: entry.code }, 'deribit simulator request');
  };
  // Latency is real time even under a fake venue clock: it is about sockets, not venue time.
  const outcome = await applyFaults(res, sim.core.faults.plan(req.path), {
    venue: VENUE,
    sleep: (ms) => systemClock.sleep(ms),
    venueError: (action) => rpcErrorFaultAnswer(action, sim.clock.nowMs()),
  });
  if (outcome) {
    const { fault } = outcome;
    record({ httpStatus: outcome.httpStatus, fault: outcome.label, clientId: '', ...(fault.kind === 'rpcError' ? { code: fault.code } : {}) });
    return;
  }
  const { result, clientId } = 'error' in call ? { result: call.error, clientId: '' } : dispatch(sim, req, call);
  const httpStatus = httpStatusFor(result);
  const id = 'error' in call ? undefined : call.id;
  sendAnswer(res, { status: httpStatus, headers: { 'Content-Type': 'application/json' }, body: envelope(result, id, receivedAtMs, sim.clock.nowMs()) });
  record({ httpStatus, clientId, ...(result.ok ? {} : { code: result.error.code }) });
}

function dispatch(sim: SimulatorInternals, req: SimRequest, call: Call): { result: RpcResult; clientId: string } {
  const nowMs = sim.clock.nowMs();
  const account = sim.account();
  const publicMethod = PUBLIC_METHODS[call.method];
  if (publicMethod) {
    const clientId = typeof call.params.client_id === 'string' ? call.params.client_id : '';
    return { result: publicMethod({ account, params: call.params, ip: req.ip, nowMs }), clientId };
  }
  const method = PRIVATE_METHODS[call.method];
  if (!method) return { result: fail(RPC.methodNotFound), clientId: '' };
  const uri = req.rawQuery === '' ? req.path : `${req.path}?${req.rawQuery}`;
  const auth = authenticatePrivate(account, { method: req.method, uri, rawBody: req.rawBody, authorization: req.headers.authorization ?? '', ip: req.ip, nowMs });
  if (!auth.ok) return { result: auth.refusal, clientId: '' };
  const { principal } = auth;
  // Only admitted calls spend credits, from the pool of the account the call acts for.
  const limit = sim.core.limiter.take(String(principal.accountId), CREDIT_POOL, nowMs, REQUEST_COST);
  if (limit && !limit.allowed) return { result: fail(RPC.tooManyRequests), clientId: principal.key.clientId };
  return { result: callPrivate(method, { account, principal, params: call.params, nowMs }), clientId: principal.key.clientId };
}

const API_PREFIX = '/api/v2';

// GET carries params in the query; a body (POST, or Deribit's own GET-with-body examples) carries a
// JSON-RPC request. The path names the method; a bare /api/v2 takes it from the body.
function readCall(req: SimRequest): Call | { error: RpcResult } {
  if (req.path !== API_PREFIX && !req.path.startsWith(`${API_PREFIX}/`)) return { error: fail(RPC.methodNotFound) };
  const pathMethod = req.path.slice(API_PREFIX.length).replace(/^\/+/, '');
  if (req.rawBody.length === 0) return { id: undefined, method: pathMethod, params: queryParams(req.rawQuery) };
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    return { error: fail(RPC.parseError) };
  }
  if (!isRecord(body)) return { error: fail({ code: -32600, message: rpcMessage(-32600) || 'Invalid Request' }) };
  const method = pathMethod !== '' ? pathMethod : typeof body.method === 'string' ? body.method : '';
  const params = isRecord(body.params) ? body.params : {};
  return { id: body.id, method, params };
}

// Repeated names (name=a&name=b, or name[]=a) become lists.
function queryParams(rawQuery: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [rawName, value] of new URLSearchParams(rawQuery)) {
    const list = rawName.endsWith('[]');
    const name = list ? rawName.slice(0, -2) : rawName;
    const seen = params[name];
    if (seen === undefined) params[name] = list ? [value] : value;
    else params[name] = Array.isArray(seen) ? [...(seen as unknown[]), value] : [seen, value];
  }
  return params;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
