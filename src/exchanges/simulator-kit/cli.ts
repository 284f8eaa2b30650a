// The part of `exkey simulator <venue> ...` every venue shares: the common flags (--port, --host,
// --no-rate-limits, --latency-ms, --fail-rate), the faults those flags install, the one
// "listening on" line, and running until SIGINT/SIGTERM. The venue adds its own flags (keys).

import type { FaultSpec, VenueFaultAction } from './faults.ts';

/** parseArgs option config for the common flags; spread it into the venue's own options. */
export const COMMON_SIM_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'no-rate-limits': { type: 'boolean' },
  'latency-ms': { type: 'string' },
  'fail-rate': { type: 'string' },
} as const;

/** Usage text for the common flags, to append to the venue's. */
export const COMMON_SIM_USAGE = '[--port P] [--host H] [--no-rate-limits] [--latency-ms N] [--fail-rate F]';

/** The common flags' values as parseArgs returns them. */
export interface CommonSimFlagValues {
  port?: string;
  host?: string;
  'no-rate-limits'?: boolean;
  'latency-ms'?: string;
  'fail-rate'?: string;
}

/** The common flags, read. */
export interface CommonSimArgs {
  port: number;
  host: string;
  rateLimits: boolean;
  /** Delay for every venue call (0: none). */
  latencyMs: number;
  /** Share of venue calls answered with HTTP 503 (0: none). */
  failRate: number;
}

/** Where the CLI writes and which signals stop it (the process by default; tests pass their own). */
export interface CliIo {
  out: (line: string) => void;
  signals: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
}

/** What a running simulator must offer the CLI. */
export interface StoppableSimulator {
  url: string;
  stop(): Promise<void>;
}

/** Reads the common flags; throws an Error ending with `usage` when one is wrong. */
export function readCommonSimArgs(values: CommonSimFlagValues, usage: string): CommonSimArgs {
  const failRate = numberFlag(values['fail-rate'], 'fail-rate', usage);
  if (failRate < 0 || failRate > 1) throw new Error(`--fail-rate must be within [0, 1]\n${usage}`);
  return {
    port: numberFlag(values.port, 'port', usage),
    host: values.host ?? '127.0.0.1',
    rateLimits: values['no-rate-limits'] !== true,
    latencyMs: numberFlag(values['latency-ms'], 'latency-ms', usage),
    failRate,
  };
}

/** The parts of the common flags a venue passes into its simulator options. */
export function commonSimOptions(args: CommonSimArgs): { port: number; host: string; rateLimits: boolean } {
  return { port: args.port, host: args.host, rateLimits: args.rateLimits };
}

/** A non-negative number flag, 0 when absent; throws an Error ending with `usage` otherwise. */
export function numberFlag(value: string | undefined, name: string, usage: string): number {
  if (value === undefined) return 0;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new Error(`--${name} must be a non-negative number\n${usage}`);
  }
  return parsed;
}

/** The faults --latency-ms and --fail-rate ask for (every venue call delayed; a share answered 503). */
export function cliFaults<V extends VenueFaultAction>(args: Pick<CommonSimArgs, 'latencyMs' | 'failRate'>): FaultSpec<V>[] {
  return [
    ...(args.latencyMs > 0 ? [{ kind: 'latency' as const, latencyMs: args.latencyMs }] : []),
    ...(args.failRate > 0 ? [{ kind: 'status' as const, status: 503, probability: args.failRate }] : []),
  ];
}

/** Prints "<venue> simulator listening on <url>", waits for SIGINT or SIGTERM, then stops it. */
export async function serveUntilSignal(venue: string, sim: StoppableSimulator, io: CliIo = processIo()): Promise<void> {
  io.out(`${venue} simulator listening on ${sim.url}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      resolve();
    };
    io.signals.once('SIGINT', stop);
    io.signals.once('SIGTERM', stop);
  });
  await sim.stop();
}

/** The real process: stdout and process signals. */
export function processIo(): CliIo {
  return { out: (line) => { process.stdout.write(`${line}\n`); }, signals: process };
}

/** A started simulator that takes faults. */
export interface FaultableSimulator<V extends VenueFaultAction> extends StoppableSimulator {
  state: { addFault(spec: FaultSpec<V>): unknown };
}

/** Installs the faults --latency-ms and --fail-rate ask for, then serves until SIGINT or SIGTERM. */
export async function serveWithCliFaults<V extends VenueFaultAction>(
  venue: string,
  sim: FaultableSimulator<V>,
  args: Pick<CommonSimArgs, 'latencyMs' | 'failRate'>,
  io: CliIo = processIo(),
): Promise<void> {
  for (const fault of cliFaults<V>(args)) sim.state.addFault(fault);
  await serveUntilSignal(venue, sim, io);
}
