// Public entry points of the Kraken simulator.

export { startKrakenSimulator, type KrakenSimulator, type KrakenSimulatorOptions } from './server.ts';
export { runKrakenSimulatorCli, parseKrakenSimulatorArgs, KRAKEN_SIMULATOR_USAGE } from './cli.ts';
export type { CreatedKey, KrakenSimulatorState, RequestRecord } from './simulator-state.ts';
export type { FaultSpec, Fault, KrakenErrorFault } from './faults.ts';
export type { NewKey, SimKeyView } from './state.ts';
