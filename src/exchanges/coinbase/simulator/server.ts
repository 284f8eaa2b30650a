// The Coinbase Advanced Trade simulator on the kit's request path. One venue request: faults →
// route → JWT verification (auth.ts; any refusal is a bare 401) → the user's request rate →
// handler. Serves GET /api/v3/brokerage/key_permissions and the public server time.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { simulatorSettings, startVenueServer, type CommonSimulatorOptions, type RunningSimulator } from '../../simulator-kit/venue-server.ts';
import { authenticate } from './auth.ts';
import { UNAUTHORIZED, errorAnswer, jsonAnswer } from './envelope.ts';
import { coinbaseErrorFaultAnswer, type CoinbaseErrorFault } from './faults.ts';
import { PRIVATE_BUCKET, createSimulatorState, type CoinbaseRecord, type CoinbaseSimulatorState, type SimulatorInternals } from './simulator-state.ts';
import { findKey, keyPermissions, type NewKey } from './state.ts';

/** Options for startCoinbaseSimulator. */
export interface CoinbaseSimulatorOptions extends CommonSimulatorOptions {
  /** Keys that exist from the start (and again after reset). */
  keys?: NewKey[];
  /** The organization in generated key names. */
  organization?: string;
  /** The host a token's `uri` may name besides the one the caller addressed; api.coinbase.com by default. */
  publicHost?: string;
}

/** A running simulator. */
export type CoinbaseSimulator = RunningSimulator<CoinbaseSimulatorState>;

const KEY_PERMISSIONS = 'GET /api/v3/brokerage/key_permissions';

/** Starts a Coinbase Advanced Trade simulator listening on host:port. */
export async function startCoinbaseSimulator(options: CoinbaseSimulatorOptions = {}): Promise<CoinbaseSimulator> {
  const sim = createSimulatorState(options.organization ?? '00000000-0000-4000-8000-00000000e4e7', options.keys ?? [], simulatorSettings(options));
  const publicHost = options.publicHost ?? 'api.coinbase.com';
  const server = await startVenueServer<CoinbaseErrorFault, CoinbaseRecord>({
    venue: 'coinbase',
    core: sim.core,
    admin: sim.admin,
    // Coinbase has no API-key header: the key name rides inside the JWT, and the token itself
    // (a credential for 120 s) must not reach the request log, so no header is logged.
    apiKeyHeader: 'x-exkey-no-such-header',
    venueError: (action) => ({ answer: coinbaseErrorFaultAnswer(action), record: {} }),
    answer: (req) => route(sim, req, publicHost),
  }, options);
  return { ...server, state: sim.state };
}

function route(sim: SimulatorInternals, req: SimRequest, publicHost: string): { answer: SimAnswer; record: CoinbaseRecord } {
  const nowMs = sim.clock.nowMs();
  if (req.method === 'GET' && req.path === '/api/v3/brokerage/time') {
    return { answer: jsonAnswer(200, { iso: new Date(nowMs).toISOString(), epochSeconds: String(Math.floor(nowMs / 1000)), epochMillis: String(nowMs) }), record: {} };
  }
  if (`${req.method} ${req.path}` !== KEY_PERMISSIONS) return { answer: errorAnswer(404, 'NOT_FOUND', 'Not Found'), record: {} };
  const auth = authenticate({ ...req, nowMs, publicHost }, (name) => findKey(sim.book(), name));
  if (!auth.ok) return { answer: UNAUTHORIZED, record: { reason: auth.reason } };
  const decision = sim.core.limiter.take(auth.key.name, PRIVATE_BUCKET, nowMs);
  if (decision && !decision.allowed) {
    const retryAfter = String(Math.max(1, Math.ceil((decision.resetAtMs - nowMs) / 1000)));
    return { answer: errorAnswer(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests', { 'Retry-After': retryAfter }), record: {} };
  }
  return { answer: jsonAnswer(200, keyPermissions(auth.key)), record: {} };
}
