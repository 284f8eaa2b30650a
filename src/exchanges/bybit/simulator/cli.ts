// `exkey simulator bybit ...`: runs the simulator in the foreground until SIGINT/SIGTERM. The
// common flags and the signal handling are the kit's; Bybit adds its master key flags.

import { parseArgs } from 'node:util';
import {
  COMMON_SIM_FLAGS,
  COMMON_SIM_USAGE,
  cliFaults,
  processIo,
  readCommonSimArgs,
  serveUntilSignal,
  type CliIo,
} from '../../simulator-kit/cli.ts';
import type { RetCodeFault } from './faults.ts';
import { startBybitSimulator, type BybitSimulatorOptions } from './server.ts';

export type { CliIo } from '../../simulator-kit/cli.ts';

/** Usage text shown when arguments are missing or wrong. */
export const BYBIT_SIMULATOR_USAGE =
  `usage: exkey simulator bybit --master-key K --master-secret S [--master-uid U] ${COMMON_SIM_USAGE}`;

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
      ...COMMON_SIM_FLAGS,
      'master-key': { type: 'string' },
      'master-secret': { type: 'string' },
      'master-uid': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const masterKey = values['master-key'];
  const masterSecret = values['master-secret'];
  if (!masterKey || !masterSecret) throw new Error(`--master-key and --master-secret are required\n${BYBIT_SIMULATOR_USAGE}`);
  const common = readCommonSimArgs(values, BYBIT_SIMULATOR_USAGE);
  return {
    options: {
      port: common.port,
      host: common.host,
      masterKey,
      masterSecret,
      ...(values['master-uid'] ? { masterUid: values['master-uid'] } : {}),
      rateLimits: common.rateLimits,
    },
    latencyMs: common.latencyMs,
    failRate: common.failRate,
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
  for (const fault of cliFaults<RetCodeFault>(config)) sim.state.addFault(fault);
  await serveUntilSignal('bybit', sim, io);
}
