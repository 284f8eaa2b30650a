// Carries out a request's fault plan on the HTTP response: waits the injected latency, then
// answers a terminal fault (an HTTP status, a held connection, or the venue's own error) in place
// of the real handler.

import type { ServerResponse } from 'node:http';
import type { Fault, FaultPlan, VenueFaultAction } from './faults.ts';

/** A complete HTTP answer. */
export interface SimAnswer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** What a terminal fault did, for the request log. */
export interface FaultOutcome<V extends VenueFaultAction> {
  /** 0 when the connection was held. */
  httpStatus: number;
  /** "<kind>#<id>" of the fault. */
  label: string;
  fault: Fault<V>;
}

/** How to answer faults for one venue. */
export interface FaultResponder<V extends VenueFaultAction> {
  /** Venue name for the default body of status faults. */
  venue: string;
  /** Waits out latency faults. Real time even when the venue clock is fake: latency is about sockets. */
  sleep(ms: number): Promise<void>;
  /** The venue's answer for its own error action. */
  venueError(action: V): SimAnswer;
}

/** Writes a complete answer. */
export function sendAnswer(res: ServerResponse, answer: SimAnswer): void {
  res.writeHead(answer.status, answer.headers).end(answer.body);
}

/** Applies the plan; returns the terminal fault's outcome, or undefined when the venue should answer. */
export async function applyFaults<V extends VenueFaultAction>(
  res: ServerResponse,
  plan: FaultPlan<V>,
  responder: FaultResponder<V>,
): Promise<FaultOutcome<V> | undefined> {
  if (plan.latencyMs > 0) await responder.sleep(plan.latencyMs);
  const fault = plan.terminal;
  if (!fault) return undefined;
  const label = `${fault.kind}#${fault.id}`;
  // A held connection gets no answer until the client gives up or the simulator stops.
  if (fault.kind === 'timeout') return { httpStatus: 0, label, fault };
  const answer = isStatusFault(fault) ? statusAnswer(fault, responder.venue) : responder.venueError(fault as V);
  sendAnswer(res, answer);
  return { httpStatus: answer.status, label, fault };
}

type StatusFault = { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string };

function isStatusFault<V extends VenueFaultAction>(fault: Fault<V>): fault is Fault<V> & StatusFault {
  return fault.kind === 'status' && typeof (fault as { status?: unknown }).status === 'number';
}

function statusAnswer(fault: StatusFault, venue: string): SimAnswer {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
  if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
  return { status: fault.status, headers, body: fault.body ?? `HTTP ${fault.status} (injected by the ${venue} simulator)` };
}
