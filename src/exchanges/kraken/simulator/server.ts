// The Kraken spot simulator on the kit's request path. One venue request: faults → route →
// authentication over the raw body (auth.ts) → the key's call counter → handler → Kraken's
// `{error, result}` envelope under HTTP 200. Serves the public Time call and the private
// GetApiKeyInfo; any other private method is refused as Kraken refuses unknown ones.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { simulatorSettings, startVenueServer, type CommonSimulatorOptions, type RunningSimulator } from '../../simulator-kit/venue-server.ts';
import { authenticate } from './auth.ts';
import { ERROR, envelopeBody, fail, type SimResult } from './envelope.ts';
import { krakenErrorFaultAnswer, type KrakenErrorFault } from './faults.ts';
import { PRIVATE_BUCKET } from './rate-limit.ts';
import { createSimulatorState, type KrakenRecord, type KrakenSimulatorState, type SimulatorInternals } from './simulator-state.ts';
import { apiKeyInfo, findKey, type NewKey, type SimKey } from './state.ts';

/** Options for startKrakenSimulator. */
export interface KrakenSimulatorOptions extends CommonSimulatorOptions {
  /** Keys that exist from the start (and again after reset). */
  keys?: NewKey[];
}

/** A running simulator. */
export type KrakenSimulator = RunningSimulator<KrakenSimulatorState>;

const PRIVATE_PREFIX = '/0/private/';

// Private methods the simulator answers, by name.
const PRIVATE_METHODS: Readonly<Record<string, (key: SimKey) => SimResult>> = {
  GetApiKeyInfo: (key) => ({ ok: true, result: apiKeyInfo(key) }),
};

/** Starts a Kraken spot REST simulator listening on host:port. */
export async function startKrakenSimulator(options: KrakenSimulatorOptions = {}): Promise<KrakenSimulator> {
  const sim = createSimulatorState(options.keys ?? [], simulatorSettings(options));
  const server = await startVenueServer<KrakenErrorFault, KrakenRecord>({
    venue: 'kraken',
    core: sim.core,
    admin: sim.admin,
    apiKeyHeader: 'api-key',
    venueError: (action) => ({ answer: krakenErrorFaultAnswer(action), record: { error: action.error } }),
    answer: (req) => {
      const verdict = route(sim, req);
      return { answer: answerOf(verdict), record: verdict.ok ? {} : { error: verdict.error } };
    },
  }, options);
  return { ...server, state: sim.state };
}

function route(sim: SimulatorInternals, req: SimRequest): SimResult {
  const nowMs = sim.clock.nowMs();
  if (req.path === '/0/public/Time') {
    return { ok: true, result: { unixtime: Math.floor(nowMs / 1000), rfc1123: new Date(nowMs).toUTCString() } };
  }
  if (!req.path.startsWith(PRIVATE_PREFIX)) return fail(ERROR.unknownMethod);
  const auth = authenticate({ ...req, nowMs }, (apiKey) => findKey(sim.book(), apiKey));
  if (!auth.ok) return auth.refusal;
  const decision = sim.core.limiter.take(auth.key.apiKey, PRIVATE_BUCKET, nowMs);
  if (decision && !decision.allowed) return fail(ERROR.rateLimit);
  const method = PRIVATE_METHODS[req.path.slice(PRIVATE_PREFIX.length)];
  if (req.method !== 'POST' || !method) return fail(ERROR.unknownMethod);
  return method(auth.key);
}

function answerOf(verdict: SimResult): SimAnswer {
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: envelopeBody(verdict) };
}
