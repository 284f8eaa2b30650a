// `exkey simulator okx ...`: runs the simulator in the foreground until SIGINT/SIGTERM. The common
// flags and the signal handling are the kit's; OKX adds its master key, passphrase, uid, the
// master key's IP binding and the sub-accounts that exist.

import { parseArgs } from 'node:util';
import { COMMON_SIM_FLAGS, COMMON_SIM_USAGE, cliFaults, commonSimOptions, processIo, readCommonSimArgs, serveUntilSignal, type CliIo } from '../../simulator-kit/cli.ts';
import type { CodeFault } from './faults.ts';
import { startOkxSimulator, type OkxSimulatorOptions } from './server.ts';

export type { CliIo } from '../../simulator-kit/cli.ts';

/** Usage text shown when arguments are missing or wrong. */
export const OKX_SIMULATOR_USAGE =
  'usage: exkey simulator okx --master-key K --master-secret S --master-passphrase P [--master-uid U] '
  + `[--master-ips IP,IP] [--sub-accounts NAME,NAME] ${COMMON_SIM_USAGE}`;

const OKX_FLAGS = {
  ...COMMON_SIM_FLAGS,
  'master-key': { type: 'string' },
  'master-secret': { type: 'string' },
  'master-passphrase': { type: 'string' },
  'master-uid': { type: 'string' },
  'master-ips': { type: 'string' },
  'sub-accounts': { type: 'string' },
} as const;

/** Parsed command line. */
export interface SimulatorCliConfig {
  options: OkxSimulatorOptions;
  latencyMs: number;
  failRate: number;
}

/** Parses the CLI flags; throws an Error carrying the usage text when they are wrong. */
export function parseOkxSimulatorArgs(argv: string[]): SimulatorCliConfig {
  const { values } = parseArgs({ args: argv, options: OKX_FLAGS, strict: true, allowPositionals: false });
  const masterKey = values['master-key'];
  const masterSecret = values['master-secret'];
  const masterPassphrase = values['master-passphrase'];
  if (!masterKey || !masterSecret || !masterPassphrase) {
    throw new Error(`--master-key, --master-secret and --master-passphrase are required\n${OKX_SIMULATOR_USAGE}`);
  }
  const common = readCommonSimArgs(values, OKX_SIMULATOR_USAGE);
  const masterIps = list(values['master-ips']);
  const subAccounts = list(values['sub-accounts']);
  return {
    options: {
      ...commonSimOptions(common),
      masterKey,
      masterSecret,
      masterPassphrase,
      ...(values['master-uid'] ? { masterUid: values['master-uid'] } : {}),
      ...(masterIps ? { masterIps } : {}),
      ...(subAccounts ? { subAccounts } : {}),
    },
    latencyMs: common.latencyMs,
    failRate: common.failRate,
  };
}

/** Runs `exkey simulator okx` until SIGINT/SIGTERM, with the kit's faults for --latency-ms/--fail-rate. */
export async function runOkxSimulatorCli(argv: string[], io: CliIo = processIo()): Promise<void> {
  const { options, ...faultFlags } = parseOkxSimulatorArgs(argv);
  const sim = await startOkxSimulator(options);
  cliFaults<CodeFault>(faultFlags).forEach((fault) => sim.state.addFault(fault));
  await serveUntilSignal('okx', sim, io);
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}
