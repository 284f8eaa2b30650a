// The request path every venue simulator shares: faults first (latency, status, timeout, or the
// venue's own error), then the venue's answer, and one request-log entry (and debug line) per
// request. The venue supplies its answers and what it records besides the common fields.

import type { ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.ts';
import { systemClock, type Clock } from '../../runtime/clock.ts';
import type { AdminControls } from './admin.ts';
import type { SimCore } from './core.ts';
import { applyFaults, sendAnswer, type SimAnswer } from './fault-response.ts';
import type { VenueFaultAction } from './faults.ts';
import { startSimServer, type SimRequest, type SimServer } from './http-server.ts';

/** What every request-log entry holds; the venue adds its own fields (its error code). */
export interface BaseRequestRecord {
  method: string;
  path: string;
  /** The caller's API key header as sent ('' when absent). */
  apiKey: string;
  /** 0 when the connection was held (timeout fault). */
  httpStatus: number;
  /** "<kind>#<id>" of the fault that answered, if any. */
  fault?: string;
}

/** A complete answer and the venue's fields for the log. */
export interface VenueAnswer<E extends object> {
  answer: SimAnswer;
  record: E;
}

/** One venue simulator's request handling. E is what the venue records (all fields optional). */
export interface VenueServerSpec<V extends VenueFaultAction, E extends object> {
  venue: string;
  core: SimCore<V, BaseRequestRecord & E>;
  admin: AdminControls<V>;
  /** Lower-case name of the header carrying the API key. */
  apiKeyHeader: string;
  /** The answer to the venue's own fault action. */
  venueError(action: V): VenueAnswer<E>;
  /** The answer to a request no fault replaced. */
  answer(req: SimRequest): VenueAnswer<E>;
}

/** Where to listen, and the logger for request lines. */
export interface VenueServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  logger?: Logger;
}

/** What every venue simulator's start function takes besides its keys and accounts. */
export interface CommonSimulatorOptions extends VenueServerOptions {
  /** Venue time: server time, key creation and expiry, rate-limit windows. */
  clock?: Clock;
  /** The venue's rate limits; on by default. */
  rateLimits?: boolean;
  /** Decides probabilistic faults; Math.random by default. */
  random?: () => number;
}

/** The settings a simulator's state is built with, defaults applied. */
export interface SimulatorSettings {
  clock: Clock;
  rateLimits: boolean;
  random?: () => number;
}

/** The settings from a start function's options: the system clock and limits on unless told otherwise. */
export function simulatorSettings(options: CommonSimulatorOptions): SimulatorSettings {
  return { clock: options.clock ?? systemClock, rateLimits: options.rateLimits ?? true, ...(options.random ? { random: options.random } : {}) };
}

/** A running simulator and its control surface. */
export interface RunningSimulator<S> extends SimServer {
  state: S;
}

/** Starts the kit's HTTP server with the shared request path. */
export function startVenueServer<V extends VenueFaultAction, E extends object>(
  spec: VenueServerSpec<V, E>,
  options: VenueServerOptions,
): Promise<SimServer> {
  return startSimServer({
    venue: spec.venue,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    admin: spec.admin,
    handle: (req, res) => handleVenueRequest(spec, req, res, options.logger),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

async function handleVenueRequest<V extends VenueFaultAction, E extends object>(
  spec: VenueServerSpec<V, E>,
  req: SimRequest,
  res: ServerResponse,
  logger: Logger | undefined,
): Promise<void> {
  const apiKey = req.headers[spec.apiKeyHeader] ?? '';
  const record = (httpStatus: number, extra: E, fault?: string): void => {
    const entry = { method: req.method, path: req.path, apiKey, httpStatus, ...(fault === undefined ? {} : { fault }), ...definedOnly(extra) };
    spec.core.requests.record(entry as BaseRequestRecord & E);
    // API keys are public identifiers, but logs keep only a prefix anyway.
    const logged: Record<string, unknown> = { ...entry, apiKey: apiKey === '' ? undefined : `${apiKey.slice(0, 4)}…` };
    logger?.debug(logged, `${spec.venue} simulator request`);
  };
  let faultRecord: E | undefined;
  // Latency is real time even under a fake venue clock: it is about sockets, not venue time.
  const outcome = await applyFaults(res, spec.core.faults.plan(req.path), {
    venue: spec.venue,
    sleep: (ms) => systemClock.sleep(ms),
    venueError: (action) => {
      const answer = spec.venueError(action);
      faultRecord = answer.record;
      return answer.answer;
    },
  });
  if (outcome) {
    record(outcome.httpStatus, faultRecord ?? ({} as E), outcome.label);
    return;
  }
  const { answer, record: extra } = spec.answer(req);
  sendAnswer(res, answer);
  record(answer.status, extra);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
