// Public entry points of the OKX simulator.

export { startOkxSimulator, DEFAULT_MASTER_IPS, type OkxSimulator, type OkxSimulatorOptions } from './server.ts';
export { runOkxSimulatorCli, parseOkxSimulatorArgs, OKX_SIMULATOR_USAGE } from './cli.ts';
export type { OkxSimulatorState, RequestRecord } from './simulator-state.ts';
export type { FaultSpec, Fault, CodeFault } from './faults.ts';
export type { KeyPatch, SimKeyView } from './state.ts';
