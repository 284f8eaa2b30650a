// `exkey simulator bybit ...`: runs the simulator in the foreground until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { startBybitSimulator, type BybitSimulatorOptions } from './server.ts';

/** Usage text shown when arguments are missing or wrong. */
export const BYBIT_SIMULATOR_USAGE =
  'usage: exkey simulator bybit --master-key K --master-secret S [--port P] [--host H] [--master-uid U] ' +
  '[--no-rate-limits] [--latency-ms N] [--fail-rate F]';

/** Where the CLI writes and which signals stop it (the process by default; tests pass their own). */
export interface CliIo {
  out: (line: string) => void;
  signals: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

/** Parsed command line. */
export interface SimulatorCliConfig {
  options: BybitSimulatorOptions;
  latencyMs: number;
  failRate: number;
}

/** Parses the CLI flags; throws an Error carrying the usage text when they are wrong. */
export function parseBybitSimulatorArgs(argv: string[]): SimulatorCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'master-key': { type: 'string' },
      'master-secret': { type: 'string' },
      'master-uid': { type: 'string' },
      'no-rate-limits': { type: 'boolean' },
      'latency-ms': { type: 'string' },
      'fail-rate': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const masterKey = values['master-key'];
  const masterSecret = values['master-secret'];
  if (!masterKey || !masterSecret) throw new Error(`--master-key and --master-secret are required\n${BYBIT_SIMULATOR_USAGE}`);
  const port = numberFlag(values.port, 'port', 0);
  const latencyMs = numberFlag(values['latency-ms'], 'latency-ms', 0);
  const failRate = numberFlag(values['fail-rate'], 'fail-rate', 0);
  if (failRate < 0 || failRate > 1) throw new Error(`--fail-rate must be within [0, 1]\n${BYBIT_SIMULATOR_USAGE}`);
  return {
    options: {
      port,
      host: values.host ?? '127.0.0.1',
      masterKey,
      masterSecret,
      ...(values['master-uid'] ? { masterUid: values['master-uid'] } : {}),
      rateLimits: values['no-rate-limits'] !== true,
    },
    latencyMs,
    failRate,
  };
}

/**
 * Starts the simulator, prints one line with its URL, and resolves once it has stopped after
 * SIGINT or SIGTERM. `--latency-ms` delays every Bybit call; `--fail-rate` answers that share of
 * calls with HTTP 503.
 */
export async function runBybitSimulatorCli(argv: string[], io: CliIo = processIo()): Promise<void> {
  const config = parseBybitSimulatorArgs(argv);
  const sim = await startBybitSimulator(config.options);
  if (config.latencyMs > 0) sim.state.addFault({ kind: 'latency', latencyMs: config.latencyMs });
  if (config.failRate > 0) sim.state.addFault({ kind: 'status', status: 503, probability: config.failRate });
  io.out(`bybit simulator listening on ${sim.url}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      resolve();
    };
    io.signals.once('SIGINT', stop);
    io.signals.once('SIGTERM', stop);
  });
  await sim.stop();
}

function numberFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new Error(`--${name} must be a non-negative number\n${BYBIT_SIMULATOR_USAGE}`);
  }
  return parsed;
}

function processIo(): CliIo {
  return { out: (line) => { process.stdout.write(`${line}\n`); }, signals: process };
}
