// Assembles a running operator from its parts: Kubernetes client, adapters, encryption, Events,
// the ExchangeKey controller and the health/metrics endpoint. No business logic lives here.
import type { KubeConfig } from '@kubernetes/client-node';
import { startExchangeKeyController, type RunningController } from './controllers/exchangekey/controller.ts';
import { startRotationPolicyController } from './controllers/rotationpolicy/controller.ts';
import { exchangeKeyApi, secretApi } from './controllers/exchangekey/api.ts';
import type { Deps } from './controllers/exchangekey/deps.ts';
import { loadOrCreateKeyRing } from './controllers/encryption/local-keyring.ts';
import { operatorEncryption, vaultTransitFactory } from './controllers/encryption/providers.ts';
import { vaultKvMirror } from './controllers/exchangekey/mirror.ts';
import type { KmsClientOptions } from './crypto/providers/aws-kms.ts';
import type { VaultClient } from './crypto/providers/vault-client.ts';
import { adapterRegistry, type AdapterRegistry } from './exchanges/registry.ts';
import { validatorRegistry, type ValidatorRegistry } from './exchanges/validators.ts';
import type { Logger } from './observability/logger.ts';
import { startHealthServer, type HealthServer } from './observability/health.ts';
import type { Clock } from './runtime/clock.ts';
import { KubeEventRecorder } from './runtime/events.ts';
import { KubeClient } from './runtime/kube/client.ts';
import { SharedInformers } from './runtime/kube/shared-informers.ts';
import { failpointsFromEnv } from './runtime/failpoints.ts';
import { resolveDependents, rollWorkload } from './controllers/dependents/workloads.ts';
import { stalePods } from './controllers/dependents/pods.ts';
import { leaderStatus } from './observability/metrics.ts';
import { reportKeysFrom } from './observability/key-metrics.ts';
import { queueMetrics } from './observability/queue-metrics.ts';
import { startLeaderElection, type LeaseTimings } from './runtime/leader.ts';

/** Everything the operator needs to run. */
export interface OperatorOptions {
  kubeconfig: KubeConfig;
  /** Namespace exkey runs in: holds the local encryption key ring. */
  namespace: string;
  /** Namespaces to watch; undefined means the whole cluster. */
  watchNamespaces?: string[];
  concurrency?: number;
  resyncMs?: number;
  clock: Clock;
  logger: Logger;
  /** Health and metrics port; 0 picks a free one, undefined disables the server. */
  healthPort?: number;
  /** Space calls to each venue's published limits (default true; benchmarks against unlimited simulators turn it off). */
  exchangePacing?: boolean;
  /** Adapter registry override (tests). */
  adapters?: AdapterRegistry;
  /** Manual venues' validator registry override (tests). */
  validators?: ValidatorRegistry;
  /** AWS KMS client settings beyond the standard chain (endpoint, credentials). */
  kms?: KmsClientOptions;
  /** The Vault connection (vault-transit encryption, KV mirror); undefined when Vault is not configured. */
  vault?: VaultClient;
  /** Transit mounts an envelope may name (EXKEY_VAULT_TRANSIT_MOUNTS); any mount when undefined. */
  vaultTransitMounts?: readonly string[];
  /** Run the controllers only while holding this Lease (several replicas, one active). */
  leaderElection?: { name: string; identity: string; namespace?: string; timings?: LeaseTimings };
}

/** A running operator. */
export interface Operator {
  informers: SharedInformers;
  health: HealthServer | undefined;
  /** Resolves once the controllers run (at once without leader election). */
  leading: Promise<void>;
  /** Resolves if leadership is lost; the process should then exit (its controllers may be stale). */
  lost: Promise<void>;
  isLeader(): boolean;
  /** Stops the controller (draining in-flight reconciles), the health server and HTTP pools. */
  stop(): Promise<void>;
}

/**
 * Starts the operator. Without leader election it resolves once its caches have synced; with it,
 * once it campaigns (health server up), and `leading` resolves when its controllers run.
 */
export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const { clock, logger } = options;
  const kube = new KubeClient(options.kubeconfig, { userAgent: 'exkey-operator' });
  const events = new KubeEventRecorder({ kube, clock, logger });
  const deps = operatorDeps(kube, events, options);
  const informers = new SharedInformers({ kube, clock, logger });
  const resyncMs = options.resyncMs ?? 10 * 60_000;
  const scope = options.watchNamespaces ? { namespaces: options.watchNamespaces } : {};
  const election = options.leaderElection ? { namespace: options.namespace, ...options.leaderElection } : undefined;
  const elector = election ? startLeaderElection({ kube, clock, logger, ...election }) : undefined;
  let running: { controller: RunningController; policies: RunningController } | undefined;
  let stopping = false;
  // The controllers run only while this replica leads (always, without leader election).
  const run = async (): Promise<void> => {
    if (stopping) return;
    const controller = startExchangeKeyController({
      informers, deps, concurrency: options.concurrency ?? 16, resyncMs, queueObserver: queueMetrics('exchangekey'), ...scope,
    });
    const policies = startRotationPolicyController({ kube, informers, clock, logger, resyncMs, ...scope });
    running = { controller, policies };
    reportKeysFrom({ keys: () => controller.keys?.() ?? [], clock });
    informers.start();
    await informers.waitForSync();
    logger.info({ namespace: options.namespace, watch: options.watchNamespaces ?? 'all' }, 'exkey operator started');
  };
  const health =
    options.healthPort === undefined
      ? undefined
      // A standby is ready: it has nothing to sync until it leads, and rollouts must not wait for it.
      : await startHealthServer({ port: options.healthPort, ready: () => (elector !== undefined && !elector.isLeader()) || informers.synced(), logger });
  let leading: Promise<void>;
  if (elector && election) {
    logger.info({ lease: `${election.namespace}/${election.name}`, identity: election.identity }, 'waiting to become the leader');
    leading = elector.acquired.then(run);
    leading.catch(() => undefined); // a stop before leading rejects it; nothing to report
  } else {
    leaderStatus.set(1);
    leading = run();
    await leading;
  }
  return {
    informers,
    health,
    leading,
    lost: elector ? elector.lost : new Promise<void>(() => undefined),
    isLeader: () => (elector ? elector.isLeader() : true),
    async stop() {
      stopping = true;
      reportKeysFrom(undefined);
      await informers.stop();
      await running?.policies.stop();
      await running?.controller.stop();
      await events.flush();
      // Handed back only once the controllers are drained, so the next leader starts clean.
      await elector?.release();
      await health?.close();
      await kube.close();
      logger.info('exkey operator stopped');
    },
  };
}

// The executor's collaborators, built from the operator's options.
function operatorDeps(kube: KubeClient, events: KubeEventRecorder, options: OperatorOptions): Omit<Deps, 'throttle'> {
  const { clock, logger } = options;
  const failpoints = failpointsFromEnv(logger);
  return {
    keys: exchangeKeyApi(kube),
    secrets: secretApi(kube),
    workloads: (namespace, dependents) => resolveDependents(kube, namespace, dependents),
    rollWorkload: (namespace, ref, roll) => rollWorkload(kube, namespace, ref, roll),
    stalePods: (namespace, workload, roll) => stalePods(kube, namespace, workload, roll),
    ...(failpoints ? { failpoints } : {}),
    adapters: options.adapters ?? adapterRegistry({ clock, pacing: options.exchangePacing ?? true }),
    validators: options.validators ?? validatorRegistry({ clock }),
    encryption: operatorEncryption({
      loadRing: () => loadOrCreateKeyRing(kube, options.namespace, () => {
        logger.warn({ namespace: options.namespace }, 'created a new local encryption key ring; if one existed before, envelopes sealed with it cannot be opened any more');
      }),
      clock,
      ...(options.kms ? { kms: options.kms } : {}),
      ...(options.vault ? { vault: vaultTransitFactory(options.vault, options.vaultTransitMounts) } : {}),
    }),
    ...(options.vault ? { mirror: vaultKvMirror(options.vault) } : {}),
    events,
    clock,
    log: logger,
  };
}
