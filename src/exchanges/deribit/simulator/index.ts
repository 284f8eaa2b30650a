// Public entry points of the Deribit simulator.

export { startDeribitSimulator, type DeribitSimulator, type DeribitSimulatorOptions } from './server.ts';
export { runDeribitSimulatorCli, parseDeribitSimulatorArgs, DERIBIT_SIMULATOR_USAGE } from './cli.ts';
export type { DeribitSimulatorState, RequestRecord, SimKeyView, KeyPatch } from './simulator-state.ts';
export type { FaultSpec, Fault, RpcErrorFault } from './faults.ts';
