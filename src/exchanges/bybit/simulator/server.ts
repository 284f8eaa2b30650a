// The simulator's HTTP server (node:http). One request: admin API, or faults → route lookup →
// authentication over the raw bytes → per-UID rate limit → handler → Bybit envelope. The raw
// query string and body are kept exactly as received so signatures are checked like Bybit does.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../../../observability/logger.ts';
import { systemClock, type Clock } from '../../../runtime/clock.ts';
import { handleAdmin, isAdminPath } from './admin.ts';
import { authenticate, callerIp } from './auth.ts';
import { RET, envelope, fail, httpStatusFor, type RetResult } from './envelope.ts';
import { faultRetCode, type Fault } from './faults.ts';
import { PRIVATE_ROUTES, marketTime } from './routes.ts';
import { createSimulatorState, type BybitSimulatorState, type SimulatorInternals } from './simulator-state.ts';
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

const MAX_BODY_BYTES = 1 << 20;

/** Starts a Bybit v5 simulator listening on host:port. */
export async function startBybitSimulator(options: BybitSimulatorOptions): Promise<BybitSimulator> {
  const clock = options.clock ?? systemClock;
  const internals = createSimulatorState({
    masterKey: options.masterKey,
    masterSecret: options.masterSecret,
    masterUid: options.masterUid ?? '100000001',
    ...(options.subUids ? { subUids: options.subUids } : {}),
  }, { clock, rateLimits: options.rateLimits ?? true, ...(options.random ? { random: options.random } : {}) });
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res, internals, options.logger).catch((err: unknown) => {
      options.logger?.error({ err }, 'bybit simulator: request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal simulator error');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    state: internals.state,
    stop: () => (stopping ??= close(server, sockets)),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  sim: SimulatorInternals,
  logger: Logger | undefined,
): Promise<void> {
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
  const rawBody = await readBody(req);
  if (rawBody === undefined) {
    res.writeHead(413, { 'Content-Type': 'text/plain' }).end('request body too large');
    return;
  }
  if (isAdminPath(path)) {
    const answer = handleAdmin(sim, { method: req.method ?? 'GET', path, rawBody, ip: callerIp(req.socket.remoteAddress) });
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
    return;
  }
  const plan = sim.faults.plan(path);
  if (plan.latencyMs > 0) await systemClock.sleep(plan.latencyMs);
  const apiKey = req.headers['x-bapi-api-key'];
  const record = (httpStatus: number, retCode?: number, fault?: string): void => {
    sim.record({ method: req.method ?? '', path, apiKey: typeof apiKey === 'string' ? apiKey : '', httpStatus, ...(retCode === undefined ? {} : { retCode }), ...(fault ? { fault } : {}) });
    logger?.debug({ method: req.method, path, apiKey: mask(apiKey), httpStatus, retCode }, 'bybit simulator request');
  };
  if (plan.terminal) {
    answerFault(res, plan.terminal, sim.clock.nowMs(), record);
    return;
  }
  const { result, headers } = route(sim, req, { path, rawQuery, rawBody });
  res.writeHead(httpStatusFor(result.retCode), { 'Content-Type': 'application/json', ...headers });
  res.end(envelope(result, sim.clock.nowMs()));
  record(httpStatusFor(result.retCode), result.retCode);
}

interface RawRequest {
  path: string;
  rawQuery: string;
  rawBody: Buffer;
}

function route(sim: SimulatorInternals, req: IncomingMessage, raw: RawRequest): { result: RetResult; headers: Record<string, string> } {
  const method = req.method ?? 'GET';
  const nowMs = sim.clock.nowMs();
  if (method === 'GET' && raw.path === '/v5/market/time') return { result: marketTime(nowMs), headers: {} };
  const routeDef = PRIVATE_ROUTES[`${method} ${raw.path}`];
  if (!routeDef) return { result: fail(RET.routeNotFound), headers: {} };
  const gate = admit(sim, req, raw, routeDef.masterOnly);
  if (!gate.key) return { result: gate.refusal, headers: gate.headers };
  const body = method === 'POST' ? parseJsonBody(raw.rawBody) : {};
  const result = body === undefined
    ? fail(RET.params, 'request body is not a JSON object')
    : routeDef.handle({ account: sim.account(), caller: gate.key, query: new URLSearchParams(raw.rawQuery), body, nowMs });
  return { result, headers: gate.headers };
}

type Gate = { key: SimKey; headers: Record<string, string> } | { key?: undefined; refusal: RetResult; headers: Record<string, string> };

// Authentication, the master-only rule, then the per-UID limit (only admitted calls count).
function admit(sim: SimulatorInternals, req: IncomingMessage, raw: RawRequest, masterOnly: boolean): Gate {
  const nowMs = sim.clock.nowMs();
  const auth = authenticate(
    { method: req.method ?? 'GET', headers: headerMap(req), rawQuery: raw.rawQuery, rawBody: raw.rawBody, ip: callerIp(req.socket.remoteAddress), nowMs },
    (apiKey) => findKey(sim.account(), apiKey),
  );
  if (!auth.ok) return { refusal: auth.refusal, headers: {} };
  if (masterOnly && !auth.key.isMaster) return { refusal: fail(RET.permission), headers: {} };
  const limit = sim.limiter.take(auth.key.uid, raw.path, nowMs);
  if (limit && !limit.allowed) return { refusal: fail(RET.rateLimit), headers: limit.headers };
  return { key: auth.key, headers: limit?.headers ?? {} };
}

function answerFault(
  res: ServerResponse,
  fault: Fault,
  nowMs: number,
  record: (httpStatus: number, retCode?: number, fault?: string) => void,
): void {
  if (fault.kind === 'timeout') {
    // Hold the connection: no answer until the client gives up or the simulator stops.
    record(0, undefined, `timeout#${fault.id}`);
    return;
  }
  if (fault.kind === 'status') {
    const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
    if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
    res.writeHead(fault.status, headers).end(fault.body ?? `HTTP ${fault.status} (injected by the bybit simulator)`);
    record(fault.status, undefined, `status#${fault.id}`);
    return;
  }
  const { retCode, retMsg } = faultRetCode(fault);
  res.writeHead(httpStatusFor(retCode), { 'Content-Type': 'application/json' });
  res.end(envelope(fail(retCode, retMsg), nowMs));
  record(httpStatusFor(retCode), retCode, `retCode#${fault.id}`);
}

function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

function parseJsonBody(raw: Buffer): Record<string, unknown> | undefined {
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

// API keys are public identifiers, but logs keep only a prefix anyway.
function mask(apiKey: string | string[] | undefined): string | undefined {
  return typeof apiKey === 'string' && apiKey !== '' ? `${apiKey.slice(0, 4)}…` : undefined;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => { if (err) reject(err); else resolve(); });
    // Held (timeout-fault) and keep-alive connections would otherwise keep close() waiting.
    for (const socket of sockets) socket.destroy();
  });
}
