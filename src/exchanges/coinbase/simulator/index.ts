// Public entry points of the Coinbase simulator.

export { startCoinbaseSimulator, type CoinbaseSimulator, type CoinbaseSimulatorOptions } from './server.ts';
export { runCoinbaseSimulatorCli, parseCoinbaseSimulatorArgs, COINBASE_SIMULATOR_USAGE } from './cli.ts';
export type { CoinbaseSimulatorState, CreatedKey, RequestRecord } from './simulator-state.ts';
export type { FaultSpec, Fault, CoinbaseErrorFault } from './faults.ts';
export type { NewKey, SimKeyView } from './state.ts';
