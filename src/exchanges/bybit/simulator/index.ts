// Public entry points of the Bybit simulator.

export { startBybitSimulator, type BybitSimulator, type BybitSimulatorOptions } from './server.ts';
export { runBybitSimulatorCli, parseBybitSimulatorArgs, BYBIT_SIMULATOR_USAGE } from './cli.ts';
export type { BybitSimulatorState, RequestRecord } from './simulator-state.ts';
export type { FaultSpec, Fault, RetCodeFault } from './faults.ts';
export type { KeyPatch, SimKeyView } from './state.ts';
