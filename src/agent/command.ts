// `exkey agent`: command-line front end of runAgent. Exit codes: 0 done (once) or stopped by a
// signal (sidecar), 1 the key could not be served or written, 2 bad usage.
import { KubeConfig } from '@kubernetes/client-node';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { untilSignalled } from '../cli/shutdown.ts';
import { isEnvelopeError, isKeyVolumeError } from '../client/index.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import { runAgent, type Agent } from './agent.ts';
import { AGENT_PROVIDERS, type AgentProvider, type AgentUnwrappers } from './providers.ts';

/** Seams for tests; production uses the defaults. */
export interface AgentCommandDeps {
  clock?: Clock;
  logger?: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  providers?: Readonly<Record<string, AgentProvider>>;
  /** Resolves once the sidecar should stop and `stop` ran; default: SIGTERM/SIGINT. */
  untilStopped?: (stop: () => Promise<void>, logger: Logger) => Promise<void>;
  /** Where usage errors go; default stderr. */
  usage?: (text: string) => void;
}

const COMMON_OPTIONS: ParseArgsOptionsConfig = {
  source: { type: 'string' },
  target: { type: 'string' },
  namespace: { type: 'string' },
  'secret-name': { type: 'string' },
  once: { type: 'boolean', default: false },
  provider: { type: 'string', default: 'local' },
  kubeconfig: { type: 'string' },
  'poll-seconds': { type: 'string', default: '30' },
  'require-envelope': { type: 'boolean', default: false },
  'log-level': { type: 'string' },
  help: { type: 'boolean', default: false },
};

/** How the agent's idle wait keeps Node running: the watch alone may die with its directory. */
const KEEPALIVE_MS = 24 * 3_600_000;

function usageText(providers: Readonly<Record<string, AgentProvider>>): string {
  const lines = Object.entries(providers).map(([name, p]) => {
    const flags = Object.keys(p.options).map((o) => ` --${o}`).join('');
    return `  ${name.padEnd(14)}${p.description}${flags ? `\n  ${''.padEnd(14)}options:${flags}` : ''}`;
  });
  return `usage: exkey agent --source DIR --target DIR --secret-name NAME [--namespace NS] [--once]
                   [--provider ${Object.keys(providers).join('|')}] [--kubeconfig FILE] [--poll-seconds N]
                   [--require-envelope] [--log-level LEVEL]

Reads the exkey Secret mounted at --source and writes apiKey, apiSecret, passphrase, privateKey,
version (and previous.* during a rotation) into --target, atomically, mode 0400.
--once: write and exit (init container); otherwise keep following rotations (sidecar).
--namespace defaults to $POD_NAMESPACE (downward API).

providers:
${lines.join('\n')}
`;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Parsed {
  values: Values;
  provider: AgentProvider;
  namespace: string;
  pollMs: number;
}

function required(values: Parsed['values'], name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required`);
  return value;
}

function parse(argv: string[], providers: Readonly<Record<string, AgentProvider>>, env: AgentCommandDeps['env']): Parsed {
  const options = Object.assign({}, COMMON_OPTIONS, ...Object.values(providers).map((p) => p.options)) as ParseArgsOptionsConfig;
  const { values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  const name = String(values.provider);
  const provider = providers[name];
  if (provider === undefined) throw new Error(`--provider must be one of ${Object.keys(providers).join(', ')}`);
  const namespace = typeof values.namespace === 'string' ? values.namespace : env?.POD_NAMESPACE;
  if (namespace === undefined || namespace === '') throw new Error('--namespace is required (or set $POD_NAMESPACE from the downward API)');
  const pollSeconds = Number(values['poll-seconds']);
  if (!Number.isFinite(pollSeconds) || pollSeconds <= 0) throw new Error('--poll-seconds must be a positive number');
  for (const option of ['source', 'target', 'secret-name']) required(values, option);
  return { values, provider, namespace, pollMs: pollSeconds * 1000 };
}

function loadKubeConfig(path: Values[string]): KubeConfig {
  const kc = new KubeConfig();
  if (typeof path === 'string') kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

function describeFailure(error: unknown): { kind?: string; message: string } {
  if (isEnvelopeError(error) || isKeyVolumeError(error)) return { kind: error.kind, message: error.message };
  return { message: error instanceof Error ? error.message : 'unknown error' };
}

// Sidecar: stay up (a watch on a vanished directory would not hold the event loop) until stopped.
async function serve(agent: Agent, clock: Clock, logger: Logger, untilStopped: NonNullable<AgentCommandDeps['untilStopped']>): Promise<void> {
  const idle = new AbortController();
  const keepAlive = (async (): Promise<void> => {
    while (!idle.signal.aborted) await clock.sleep(KEEPALIVE_MS, idle.signal).catch(() => undefined);
  })();
  await untilStopped(async () => {
    idle.abort();
    await agent.close();
  }, logger);
  idle.abort();
  await keepAlive;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Runtime {
  clock: Clock;
  logger: Logger;
  unwrappers: AgentUnwrappers;
}

async function run(parsed: Parsed, { clock, logger, unwrappers }: Runtime, deps: AgentCommandDeps): Promise<number> {
  const { values } = parsed;
  const once = values.once === true;
  try {
    const agent = await runAgent({
      source: required(values, 'source'),
      target: required(values, 'target'),
      namespace: parsed.namespace,
      secretName: required(values, 'secret-name'),
      unwrappers: unwrappers.unwrappers,
      once,
      clock,
      logger,
      pollIntervalMs: parsed.pollMs,
      requireEnvelope: values['require-envelope'] === true,
    });
    if (!once) await serve(agent, clock, logger, deps.untilStopped ?? untilSignalled);
    return 0;
  } catch (error) {
    logger.error(describeFailure(error), 'exkey agent failed: the exchange key could not be served');
    return 1;
  } finally {
    await unwrappers.close();
  }
}

/** Runs `exkey agent` with `argv` (the words after `agent`); resolves with the exit code. */
export async function runAgentCommand(argv: string[], deps: AgentCommandDeps = {}): Promise<number> {
  const providers = deps.providers ?? AGENT_PROVIDERS;
  const env = deps.env ?? process.env;
  const usage = deps.usage ?? ((text: string): void => { process.stderr.write(text); });
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usageText(providers));
    return 0;
  }
  let parsed: Parsed;
  try {
    parsed = parse(argv, providers, env);
  } catch (error) {
    usage(`exkey agent: ${message(error)}\n\n${usageText(providers)}`);
    return 2;
  }
  const { values } = parsed;
  const clock = deps.clock ?? systemClock;
  const level = values['log-level'];
  const logger = deps.logger ?? createLogger({ ...(typeof level === 'string' ? { level } : {}), base: { app: 'exkey', component: 'agent' } });
  let unwrappers: AgentUnwrappers;
  try {
    unwrappers = parsed.provider.create({ values, env, clock, kubeconfig: () => loadKubeConfig(values.kubeconfig) });
  } catch (error) {
    usage(`exkey agent: ${message(error)}\n`);
    return 2;
  }
  return run(parsed, { clock, logger, unwrappers }, deps);
}
