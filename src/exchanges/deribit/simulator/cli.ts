// `exkey simulator deribit ...`: runs the simulator in the foreground until SIGINT/SIGTERM. The
// common flags and the signal handling are the kit's; Deribit adds its managing key, the account
// ids and whether the account requires TFA for API key management.

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
import type { RpcErrorFault } from './faults.ts';
import { startDeribitSimulator, type DeribitSimulatorOptions } from './server.ts';

/** Usage text shown when arguments are missing or wrong. */
export const DERIBIT_SIMULATOR_USAGE =
  `usage: exkey simulator deribit --master-key K --master-secret S [--main-account-id N] [--subaccounts ID,ID] [--tfa] ${COMMON_SIM_USAGE}`;

/** Parsed command line. */
export interface SimulatorCliConfig {
  options: DeribitSimulatorOptions;
  latencyMs: number;
  failRate: number;
}

/** Parses the CLI flags; throws an Error carrying the usage text when they are wrong. */
export function parseDeribitSimulatorArgs(argv: string[]): SimulatorCliConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_SIM_FLAGS,
      'master-key': { type: 'string' },
      'master-secret': { type: 'string' },
      'main-account-id': { type: 'string' },
      subaccounts: { type: 'string' },
      tfa: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const masterKey = values['master-key'];
  const masterSecret = values['master-secret'];
  if (!masterKey || !masterSecret) throw new Error(`--master-key and --master-secret are required\n${DERIBIT_SIMULATOR_USAGE}`);
  const common = readCommonSimArgs(values, DERIBIT_SIMULATOR_USAGE);
  const mainAccountId = accountIds(values['main-account-id'], 'main-account-id')[0];
  const subAccountIds = values.subaccounts === undefined ? undefined : accountIds(values.subaccounts, 'subaccounts');
  return {
    options: {
      port: common.port,
      host: common.host,
      masterKey,
      masterSecret,
      ...(mainAccountId === undefined ? {} : { mainAccountId }),
      ...(subAccountIds ? { subAccountIds } : {}),
      ...(values.tfa === true ? { tfa: true } : {}),
      rateLimits: common.rateLimits,
    },
    latencyMs: common.latencyMs,
    failRate: common.failRate,
  };
}

function accountIds(value: string | undefined, flag: string): number[] {
  if (value === undefined) return [];
  const ids = value.split(',').map((v) => v.trim());
  if (ids.some((id) => !/^\d{1,12}$/.test(id) || Number(id) === 0)) throw new Error(`--${flag} takes positive numeric account ids\n${DERIBIT_SIMULATOR_USAGE}`);
  return ids.map(Number);
}

/**
 * Starts the simulator, prints one line with its URL, and resolves once it has stopped after
 * SIGINT or SIGTERM. `--latency-ms` delays every call; `--fail-rate` answers that share with HTTP 503.
 */
export async function runDeribitSimulatorCli(argv: string[], io: CliIo = processIo()): Promise<void> {
  const config = parseDeribitSimulatorArgs(argv);
  const sim = await startDeribitSimulator(config.options);
  for (const fault of cliFaults<RpcErrorFault>(config)) sim.state.addFault(fault);
  await serveUntilSignal('deribit', sim, io);
}
