// Which key providers `exkey agent --provider <name>` can unwrap with. Each entry declares its own
// command-line options and builds its unwrappers from them: this table is the extension point
// for further providers (add an entry whose create() returns their KeyUnwrapper).
import type { KubeConfig } from '@kubernetes/client-node';
import type { ParseArgsOptionsConfig } from 'node:util';
import { DEFAULT_KEYRING_NAMESPACE, DEFAULT_KEYRING_SECRET, localKeyRingUnwrapper, type KeyUnwrapper } from '../client/index.ts';
import type { Clock } from '../runtime/clock.ts';
import { awsKmsUnwrapper, vaultTransitUnwrapper } from '../client/providers.ts';

/** What a provider gets to build its unwrappers from. */
export interface AgentProviderContext {
  /** Every parsed command-line value (common options and every provider's own). */
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** The cluster config from --kubeconfig, else kubeconfig/in-cluster defaults; loaded on call. */
  readonly kubeconfig: () => KubeConfig;
}

/** Unwrappers for one run of the agent, and how to release what they hold (connections). */
export interface AgentUnwrappers {
  readonly unwrappers: readonly KeyUnwrapper[];
  close(): Promise<void>;
}

/** One `--provider` choice. */
export interface AgentProvider {
  /** One line for the usage text. */
  readonly description: string;
  /** Options this provider adds; name them after the provider (`--kms-region`, `--vault-addr`). */
  readonly options: ParseArgsOptionsConfig;
  /** Builds the unwrappers; throws an Error with a usage message when an option is missing or wrong. */
  create(context: AgentProviderContext): AgentUnwrappers;
}

function text(values: AgentProviderContext['values'], name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required`);
  return value;
}

const none: AgentProvider = {
  description: 'plain Secrets (encryption: none); an envelope fails with unknown-key',
  options: {},
  create: () => ({ unwrappers: [], close: () => Promise.resolve() }),
};

const local: AgentProvider = {
  description: 'the local master key ring, read from its Secret through the Kubernetes API',
  options: {
    'keyring-namespace': { type: 'string', default: DEFAULT_KEYRING_NAMESPACE },
    'keyring-secret': { type: 'string', default: DEFAULT_KEYRING_SECRET },
  },
  create(context) {
    const unwrapper = localKeyRingUnwrapper({
      namespace: text(context.values, 'keyring-namespace'),
      secretName: text(context.values, 'keyring-secret'),
      kubeconfig: context.kubeconfig(),
      clock: context.clock,
    });
    return { unwrappers: [unwrapper], close: () => unwrapper.close() };
  },
};

// Decrypt-only credentials from the pod's standard AWS chain (IRSA / pod identity); the region
// comes from each envelope's key ARN, so one agent opens keys of any region.
const awsKms: AgentProvider = {
  description: 'AWS KMS (kms:Decrypt on the key; credentials from the standard AWS chain)',
  options: { 'kms-endpoint': { type: 'string' } },
  create(context) {
    const endpoint = context.values['kms-endpoint'];
    const unwrapper = awsKmsUnwrapper(typeof endpoint === 'string' && endpoint ? { endpoint } : {});
    return { unwrappers: [unwrapper], close: () => unwrapper.close() };
  },
};

// Decrypt-only Vault policy on the transit key; the same environment as the operator's (VAULT_ADDR,
// then Kubernetes auth, VAULT_TOKEN or a token file). A missing VAULT_ADDR is a usage error now.
const vaultTransit: AgentProvider = {
  description: 'Vault Transit (decrypt on the transit key; VAULT_ADDR with EXKEY_VAULT_K8S_ROLE, VAULT_TOKEN or EXKEY_VAULT_TOKEN_FILE)',
  options: { 'vault-transit-mounts': { type: 'string' } },
  create(context) {
    if (!context.env.VAULT_ADDR) throw new Error('--provider vault-transit needs VAULT_ADDR (and Vault authentication) in the environment');
    const mounts = context.values['vault-transit-mounts'];
    const unwrapper = vaultTransitUnwrapper({
      env: { ...context.env },
      clock: context.clock,
      ...(typeof mounts === 'string' && mounts !== '' ? { allowedMounts: mounts.split(',').map((m) => m.trim()) } : {}),
    });
    return { unwrappers: [unwrapper], close: () => unwrapper.close() };
  },
};

/** The providers the agent knows, by `--provider` value. */
export const AGENT_PROVIDERS: Readonly<Record<string, AgentProvider>> = { none, local, 'aws-kms': awsKms, 'vault-transit': vaultTransit };
