// `kubectl exkey`: status, rotate, revoke, history and inspect secret for ExchangeKeys, through the
// current kubeconfig. rotate and revoke only set exkey's one-off annotations (the operator acts on
// each token once); revoke asks for the key's name to be typed unless --yes is given.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { V1Secret } from '@kubernetes/client-node';
import { ANNOTATION_REVOKE, ANNOTATION_ROTATE, EXCHANGE_KEYS, type ExchangeKey } from '../api/v1alpha1/index.ts';
import { loadKubeConfig } from '../cli/kubeconfig.ts';
import { KubeClient, type KubeTransport } from '../runtime/kube/client.ts';
import { isNotFound } from '../runtime/kube/errors.ts';
import { SECRETS, collectionPath, objectPath } from '../runtime/kube/paths.ts';
import { historyRows, secretView, statusRows, table } from './views.ts';

const USAGE = `usage: kubectl exkey <command> [-n NAMESPACE | -A] [--kubeconfig FILE]

commands:
  status [NAME]            keys, versions, phases, next rotations; problems first
  rotate NAME              start a rotation (sets exkey.io/rotate)
  revoke NAME [--yes]      treat the current key as compromised: revoke it now and issue a new one
                           (sets exkey.io/revoke; asks you to type NAME unless --yes)
  history NAME             every key version of NAME
  inspect secret NAME      metadata of NAME's Secret and its envelope headers (never the key)
`;

/** Where output goes and how the user confirms; replaced in tests. */
export interface PluginIo {
  out(text: string): void;
  err(text: string): void;
  /** Asks a question on the terminal; undefined when there is no terminal to ask on. */
  ask?(question: string): Promise<string>;
  now(): Date;
}

/** Seams for tests. */
export interface PluginDeps {
  io?: PluginIo;
  /** Replaces the client built from --kubeconfig. */
  kube?: KubeTransport;
}

interface Args {
  command: string;
  rest: string[];
  namespace: string | undefined;
  all: boolean;
  yes: boolean;
  kubeconfig: string | undefined;
}

class UsageError extends Error {}

function parse(argv: string[]): Args {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      kubeconfig: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('a command is required');
  return { command, rest, namespace: values.namespace, all: values['all-namespaces'], yes: values.yes, kubeconfig: values.kubeconfig };
}

function defaultIo(): PluginIo {
  return {
    out: (text) => { process.stdout.write(`${text}\n`); },
    err: (text) => { process.stderr.write(`${text}\n`); },
    ...(process.stdin.isTTY
      ? {
          ask: async (question: string) => {
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return await rl.question(question);
            } finally {
              rl.close();
            }
          },
        }
      : {}),
    now: () => new Date(),
  };
}

/** Runs the plugin; exit code 0 ok, 1 failed or refused, 2 bad usage. */
export async function runKubectlPlugin(argv: string[], deps: PluginDeps = {}): Promise<number> {
  const io = deps.io ?? defaultIo();
  let args: Args;
  try {
    args = parse(argv);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { kube, namespace, close } = connect(args, deps);
  try {
    return await dispatch({ ...args, namespace }, kube, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${USAGE}`);
      return 2;
    }
    io.err(`kubectl exkey: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await close();
  }
}

// The namespace defaults like kubectl's: -n, else the current context's, else "default".
function connect(args: Args, deps: PluginDeps): { kube: KubeTransport; namespace: string; close: () => Promise<void> } {
  if (deps.kube) return { kube: deps.kube, namespace: args.namespace ?? 'default', close: () => Promise.resolve() };
  const kubeconfig = loadKubeConfig(args.kubeconfig);
  const client = new KubeClient(kubeconfig, { userAgent: 'kubectl-exkey' });
  const namespace = args.namespace ?? kubeconfig.getContextObject(kubeconfig.getCurrentContext())?.namespace ?? 'default';
  return { kube: client, namespace, close: () => client.close() };
}

type Handler = (args: Args & { namespace: string }, kube: KubeTransport, io: PluginIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Handler>> = {
  status: async (args, kube, io) => {
    const keys = args.rest[0] ? [await getKey(kube, args.namespace, args.rest[0])] : await listKeys(kube, args.all ? undefined : args.namespace);
    if (keys.length === 0) {
      io.out(args.all ? 'No ExchangeKeys found.' : `No ExchangeKeys found in ${args.namespace} namespace.`);
      return 0;
    }
    const columns = ['namespace', 'name', 'exchange', 'ready', 'version', 'phase', 'nextRotation', 'problem'] as const;
    io.out(table(statusRows(keys, io.now()), args.all ? columns : columns.slice(1)));
    return 0;
  },
  rotate: async (args, kube, io) => {
    const name = required(args.rest[0], 'rotate NAME');
    const token = String(Math.floor(io.now().getTime() / 1000));
    await annotate(kube, { namespace: args.namespace, name }, { [ANNOTATION_ROTATE]: token });
    io.out(`exchangekey/${name} rotation requested (${ANNOTATION_ROTATE}=${token}); follow with: kubectl get xk -n ${args.namespace} ${name} -w`);
    return 0;
  },
  revoke: async (args, kube, io) => {
    const name = required(args.rest[0], 'revoke NAME');
    await getKey(kube, args.namespace, name); // a typo fails before any question
    if (!args.yes) {
      if (!io.ask) {
        io.err('kubectl exkey: revoke needs confirmation; there is no terminal to ask on, so pass --yes');
        return 1;
      }
      const typed = await io.ask(`This revokes the current key of ${args.namespace}/${name} at the exchange NOW (no overlap).\nType the key's name to confirm: `);
      if (typed.trim() !== name) {
        io.err('kubectl exkey: not confirmed; nothing changed');
        return 1;
      }
    }
    const token = String(Math.floor(io.now().getTime() / 1000));
    await annotate(kube, { namespace: args.namespace, name }, { [ANNOTATION_REVOKE]: token });
    io.out(`exchangekey/${name} emergency revocation requested (${ANNOTATION_REVOKE}=${token})`);
    return 0;
  },
  history: async (args, kube, io) => {
    const key = await getKey(kube, args.namespace, required(args.rest[0], 'history NAME'));
    const rows = historyRows(key, io.now());
    io.out(rows.length === 0 ? 'No key versions yet.' : table(rows, ['version', 'keyId', 'state', 'created', 'validated', 'expires', 'revoked']));
    return 0;
  },
  inspect: async (args, kube, io) => {
    if (args.rest[0] !== 'secret') throw new UsageError('usage: inspect secret NAME');
    const key = await getKey(kube, args.namespace, required(args.rest[1], 'inspect secret NAME'));
    const secretName = key.spec.secret?.name ?? key.metadata.name;
    const secret = await kube.send<V1Secret>({ method: 'GET', path: objectPath(SECRETS, args.namespace, secretName) }).catch((error: unknown) => {
      if (isNotFound(error)) throw new Error(`Secret ${args.namespace}/${secretName} of exchangekey/${key.metadata.name} does not exist`, { cause: error });
      throw error;
    });
    io.out(JSON.stringify(secretView(secret), null, 2));
    return 0;
  },
};

function dispatch(args: Args & { namespace: string }, kube: KubeTransport, io: PluginIo): Promise<number> {
  const handler = COMMANDS[args.command];
  if (!handler) throw new UsageError(`unknown command "${args.command}"`);
  return handler(args, kube, io);
}

function required(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(`usage: ${usage}`);
  return value;
}

async function getKey(kube: KubeTransport, namespace: string, name: string): Promise<ExchangeKey> {
  try {
    return await kube.send<ExchangeKey>({ method: 'GET', path: objectPath(EXCHANGE_KEYS, namespace, name) });
  } catch (error) {
    if (isNotFound(error)) throw new Error(`exchangekey "${name}" not found in namespace ${namespace}`, { cause: error });
    throw error;
  }
}

async function listKeys(kube: KubeTransport, namespace: string | undefined): Promise<ExchangeKey[]> {
  return (await kube.send<{ items: ExchangeKey[] }>({ method: 'GET', path: collectionPath(EXCHANGE_KEYS, namespace) })).items;
}

function annotate(kube: KubeTransport, target: { namespace: string; name: string }, annotations: Record<string, string>): Promise<unknown> {
  return kube.send({
    method: 'PATCH', path: objectPath(EXCHANGE_KEYS, target.namespace, target.name), patchType: 'merge',
    body: { metadata: { annotations } },
  });
}
