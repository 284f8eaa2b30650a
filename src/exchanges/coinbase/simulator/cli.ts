// `exkey simulator coinbase ...`: runs the simulator in the foreground until SIGINT/SIGTERM. The
// common flags and the signal handling are the kit's; Coinbase adds an optional starting key
// registered by its public key (keys are otherwise added through POST /__sim/keys).

import { readFileSync } from 'node:fs';
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
import type { CoinbaseErrorFault } from './faults.ts';
import { startCoinbaseSimulator, type CoinbaseSimulatorOptions } from './server.ts';

/** Usage text shown when arguments are wrong. */
export const COINBASE_SIMULATOR_USAGE =
  `usage: exkey simulator coinbase [--key-name NAME --public-key-file PEM [--can-trade] [--can-transfer]] [--public-host H] ${COMMON_SIM_USAGE}`;

/** Parsed command line. */
export interface CoinbaseSimulatorCliConfig {
  options: CoinbaseSimulatorOptions;
  latencyMs: number;
  failRate: number;
}

/** Parses the CLI flags; throws an Error carrying the usage text when they are wrong. */
export function parseCoinbaseSimulatorArgs(argv: string[]): CoinbaseSimulatorCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_SIM_FLAGS,
      'key-name': { type: 'string' },
      'public-key-file': { type: 'string' },
      'can-trade': { type: 'boolean' },
      'can-transfer': { type: 'boolean' },
      'public-host': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const common = readCommonSimArgs(values, COINBASE_SIMULATOR_USAGE);
  const options: CoinbaseSimulatorOptions = commonSimOptions(common);
  if (values['public-host'] !== undefined) options.publicHost = values['public-host'];
  const name = values['key-name'];
  const file = values['public-key-file'];
  if ((name === undefined) !== (file === undefined)) throw new Error(`--key-name and --public-key-file go together\n${COINBASE_SIMULATOR_USAGE}`);
  if (name !== undefined && file !== undefined) {
    options.keys = [{ name, publicKeyPem: readFileSync(file, 'utf8'), can_view: true, can_trade: values['can-trade'] === true, can_transfer: values['can-transfer'] === true }];
  }
  return { options, latencyMs: common.latencyMs, failRate: common.failRate };
}

/** Starts the simulator, prints one line with its URL, and resolves once stopped by SIGINT or SIGTERM. */
export async function runCoinbaseSimulatorCli(argv: string[], io: CliIo = processIo()): Promise<void> {
  const config = parseCoinbaseSimulatorArgs(argv);
  await serveWithCliFaults<CoinbaseErrorFault>('coinbase', await startCoinbaseSimulator(config.options), config, io);
}
