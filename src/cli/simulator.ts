// `exkey simulator <venue> ...`: runs one exchange simulator in the foreground.
import { runBinanceSimulatorCli } from '../exchanges/binance/simulator/index.ts';
import { runBybitSimulatorCli } from '../exchanges/bybit/simulator/index.ts';
import { runCoinbaseSimulatorCli } from '../exchanges/coinbase/simulator/index.ts';
import { runDeribitSimulatorCli } from '../exchanges/deribit/simulator/index.ts';
import { runKrakenSimulatorCli } from '../exchanges/kraken/simulator/index.ts';
import { runOkxSimulatorCli } from '../exchanges/okx/simulator/index.ts';

const VENUES: Record<string, (argv: string[]) => Promise<void>> = {
  binance: (argv) => runBinanceSimulatorCli(argv),
  bybit: (argv) => runBybitSimulatorCli(argv),
  coinbase: (argv) => runCoinbaseSimulatorCli(argv),
  deribit: (argv) => runDeribitSimulatorCli(argv),
  kraken: (argv) => runKrakenSimulatorCli(argv),
  okx: (argv) => runOkxSimulatorCli(argv),
};

/** Dispatches to the simulator for the named venue. */
export async function runSimulatorCommand(argv: string[]): Promise<number> {
  const [venue, ...rest] = argv;
  const run = venue === undefined ? undefined : VENUES[venue];
  if (!run) {
    console.error(`usage: exkey simulator <${Object.keys(VENUES).join('|')}> [options]`);
    return 2;
  }
  await run(rest);
  return 0;
}
