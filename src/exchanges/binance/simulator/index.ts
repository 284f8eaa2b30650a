// Public entry points of the Binance simulator.

export { startBinanceSimulator, type BinanceSimulator, type BinanceSimulatorOptions } from './server.ts';
export { runBinanceSimulatorCli, parseBinanceSimulatorArgs, BINANCE_SIMULATOR_USAGE } from './cli.ts';
export type { BinanceSimulatorState, RequestRecord } from './simulator-state.ts';
export type { FaultSpec, Fault, BinanceErrorFault } from './faults.ts';
export type { KeyPatch, SimKeyView } from './state.ts';
