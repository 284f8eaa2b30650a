// `exkey simulator kraken ...`: runs the simulator in the foreground until SIGINT/SIGTERM. The
// common flags and the signal handling are the kit's; Kraken adds an optional starting key
// (keys are otherwise added through POST /__sim/keys, as a human adds them in Kraken's UI).

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
import type { KrakenErrorFault } from './faults.ts';
import { startKrakenSimulator, type KrakenSimulatorOptions } from './server.ts';

/** Usage text shown when arguments are wrong. */
export const KRAKEN_SIMULATOR_USAGE =
  `usage: exkey simulator kraken [--key K --secret S [--permission P ...] [--ip IP ...]] ${COMMON_SIM_USAGE}`;

/** Permissions of a --key given without --permission: read and spot trading. */
export const DEFAULT_CLI_PERMISSIONS = ['query-funds', 'query-open-trades', 'query-closed-trades', 'modify-trades', 'close-trades'];

/** Parsed command line. */
export interface KrakenSimulatorCliConfig {
  options: KrakenSimulatorOptions;
  latencyMs: number;
  failRate: number;
}

/** Parses the CLI flags; throws an Error carrying the usage text when they are wrong. */
export function parseKrakenSimulatorArgs(argv: string[]): KrakenSimulatorCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_SIM_FLAGS,
      key: { type: 'string' },
      secret: { type: 'string' },
      permission: { type: 'string', multiple: true },
      ip: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  });
  const common = readCommonSimArgs(values, KRAKEN_SIMULATOR_USAGE);
  const options: KrakenSimulatorOptions = commonSimOptions(common);
  if ((values.key === undefined) !== (values.secret === undefined)) throw new Error(`--key and --secret go together\n${KRAKEN_SIMULATOR_USAGE}`);
  if (values.key !== undefined && values.secret !== undefined) {
    options.keys = [{
      apiKey: values.key, secret: values.secret, apiKeyName: 'cli', permissions: values.permission ?? DEFAULT_CLI_PERMISSIONS,
      ipAllowlist: values.ip ?? [], nonceWindow: 0, validUntilMs: 0,
    }];
  }
  return { options, latencyMs: common.latencyMs, failRate: common.failRate };
}

/** Starts the simulator, prints one line with its URL, and resolves once stopped by SIGINT or SIGTERM. */
export async function runKrakenSimulatorCli(argv: string[], io: CliIo = processIo()): Promise<void> {
  const config = parseKrakenSimulatorArgs(argv);
  await serveWithCliFaults<KrakenErrorFault>('kraken', await startKrakenSimulator(config.options), config, io);
}
