// `exkey simulator binance ...`: runs the simulator in the foreground until SIGINT/SIGTERM. The
// common flags and the signal handling are the kit's; Binance adds its master key flags.

import { parseArgs } from 'node:util';
import {
  COMMON_SIM_FLAGS,
  COMMON_SIM_USAGE,
  commonSimOptions,
  processIo,
  readCommonSimArgs,
  serveWithCliFaults,
  type CliIo,
} from '../../simulator-kit/cli.ts';
import type { BinanceErrorFault } from './faults.ts';
import { startBinanceSimulator, type BinanceSimulatorOptions } from './server.ts';

/** Usage text shown when arguments are missing or wrong. */
export const BINANCE_SIMULATOR_USAGE =
  `usage: exkey simulator binance --master-key K --master-secret S [--master-uid U] [--sub-account EMAIL ...] ${COMMON_SIM_USAGE}`;

/** Parsed command line. */
export interface BinanceSimulatorCliConfig {
  options: BinanceSimulatorOptions;
  latencyMs: number;
  failRate: number;
}

/** Parses the CLI flags; throws an Error carrying the usage text when they are wrong. */
export function parseBinanceSimulatorArgs(argv: string[]): BinanceSimulatorCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_SIM_FLAGS,
      'master-key': { type: 'string' },
      'master-secret': { type: 'string' },
      'master-uid': { type: 'string' },
      'sub-account': { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  });
  const masterKey = values['master-key'];
  const masterSecret = values['master-secret'];
  if (!masterKey || !masterSecret) throw new Error(`--master-key and --master-secret are required\n${BINANCE_SIMULATOR_USAGE}`);
  const common = readCommonSimArgs(values, BINANCE_SIMULATOR_USAGE);
  const subAccounts = values['sub-account'] ?? [];
  const options: BinanceSimulatorOptions = { ...commonSimOptions(common), masterKey, masterSecret };
  if (values['master-uid']) options.masterUid = values['master-uid'];
  if (subAccounts.length > 0) options.subAccounts = subAccounts;
  return { options, latencyMs: common.latencyMs, failRate: common.failRate };
}

/**
 * Starts the simulator, prints one line with its URL, and resolves once it has stopped after
 * SIGINT or SIGTERM. `--latency-ms` delays every SAPI call; `--fail-rate` answers that share of
 * calls with HTTP 503.
 */
export async function runBinanceSimulatorCli(argv: string[], io: CliIo = processIo()): Promise<void> {
  const config = parseBinanceSimulatorArgs(argv);
  await serveWithCliFaults<BinanceErrorFault>('binance', await startBinanceSimulator(config.options), config, io);
}
