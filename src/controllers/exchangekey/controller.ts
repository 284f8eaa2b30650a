// The ExchangeKey controller: informers turn API events into queue keys, the queue runs reconcile
// with per-key backoff and the rotation timers reconcile asks for, and a periodic resync keeps it
// level-based (an idle resync writes nothing).
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import {
  EXCHANGE_KEYS, LABEL_EXCHANGE_KEY, LABEL_MANAGED_BY, LABEL_PENDING_KEY, MANAGED_BY, ROTATION_POLICIES, type ExchangeKey, type RotationPolicy,
} from '../../api/v1alpha1/index.ts';
import { SECRETS, type ResourceKind } from '../../runtime/kube/paths.ts';
import type { ResilientInformer } from '../../runtime/informer.ts';
import { every, type SharedInformers, type SharedInformerSpec } from '../../runtime/kube/shared-informers.ts';
import { WorkQueue, type WorkQueueObserver } from '../../runtime/workqueue.ts';
import type { Deps } from './deps.ts';
import type { CacheHints } from './gather.ts';
import { ChangeFilter } from './predicates.ts';
import { reconcile } from './reconciler.ts';
import { slotsHeld } from './rollout-state.ts';
import { pendingSecretNameOf, throttleScopeOf } from './spec.ts';
import { RolloutThrottle } from './throttle.ts';

// Listed items carry no `kind`, so each workload informer is tied to the kind it watches.
const WORKLOADS: readonly (ResourceKind & { kind: string })[] = [
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  { group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet' },
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet' },
];

/** Controller settings. */
export interface ControllerOptions {
  /** The operator's shared informers; the operator starts them once every controller registered. */
  informers: SharedInformers;
  /** Everything but the throttle, which the controller builds over its own cache. */
  deps: Omit<Deps, 'throttle'>;
  /** Namespaces to watch; undefined watches the whole cluster. */
  namespaces?: string[];
  concurrency: number;
  resyncMs: number;
  queueObserver?: WorkQueueObserver<string>;
}

/** A running controller. */
export interface RunningController {
  /** Stops the resync and drains in-flight reconciles (informers belong to the operator). */
  stop(): Promise<void>;
  /** ExchangeKeys in the cache (for per-key metrics); empty for controllers that keep none. */
  keys?(): ExchangeKey[];
}

const keyOf = (obj: KubernetesObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

/** Starts the ExchangeKey controller. */
export function startExchangeKeyController(options: ControllerOptions): RunningController {
  const log = options.deps.log.child({ controller: 'exchangekey' });
  const queue = new WorkQueue<string>({
    name: 'exchangekey', clock: options.deps.clock, logger: log,
    ...(options.queueObserver ? { observer: options.queueObserver } : {}),
  });
  const scopes = options.namespaces ?? [undefined];
  const enqueue = (obj: KubernetesObject): void => { queue.add(keyOf(obj)); };
  const make = <T extends KubernetesObject>(spec: SharedInformerSpec): ResilientInformer<T>[] =>
    scopes.map((namespace) => options.informers.for<T>({ ...spec, namespace }));
  const keyInformers = make<ExchangeKey>({ kind: EXCHANGE_KEYS });
  const secretInformers = make<V1Secret>({ kind: SECRETS, labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}` });
  const policyInformers = make<RotationPolicy>({ kind: ROTATION_POLICIES });
  const workloadInformers = WORKLOADS.map((kind) => ({ kind: kind.kind, informers: make<KubernetesObject>({ kind }) }));
  const cachedKeys = (namespace?: string): ExchangeKey[] => keyInformers.flatMap((inf) => inf.list(namespace));

  const changes = new ChangeFilter();
  for (const inf of keyInformers) {
    inf.on('add', (obj) => { changes.added(keyOf(obj), obj); enqueue(obj); });
    inf.on('update', (obj) => { if (changes.updated(keyOf(obj), obj)) enqueue(obj); });
    inf.on('delete', (obj) => { changes.deleted(keyOf(obj)); enqueue(obj); });
  }
  // exkey writes these Secrets itself. News is their disappearance, or a published Secret whose
  // resourceVersion is not the one its owner recorded (changed by someone else: check it).
  const ownerOf = (secret: V1Secret): string | undefined => {
    const owner = secret.metadata?.labels?.[LABEL_EXCHANGE_KEY];
    return owner ? `${secret.metadata?.namespace ?? ''}/${owner}` : undefined;
  };
  const changedElsewhere = (secret: V1Secret): boolean => {
    if (secret.metadata?.labels?.[LABEL_PENDING_KEY] === 'true') return false;
    const owner = keyInformers.map((inf) => inf.get(secret.metadata?.labels?.[LABEL_EXCHANGE_KEY] ?? '', secret.metadata?.namespace)).find(Boolean);
    return owner?.status?.secretResourceVersion !== undefined && owner.status.secretResourceVersion !== secret.metadata?.resourceVersion;
  };
  for (const inf of secretInformers) {
    inf.on('delete', (secret) => { const owner = ownerOf(secret); if (owner) queue.add(owner); });
    inf.on('update', (secret) => { const owner = ownerOf(secret); if (owner && changedElsewhere(secret)) queue.add(owner); });
  }
  // A policy change can move every schedule it governs.
  const onPolicy = (policy: RotationPolicy): void => {
    for (const key of cachedKeys(policy.metadata.namespace)) if (key.spec.rotationPolicyRef?.name === policy.metadata.name) enqueue(key);
  };
  for (const inf of policyInformers) for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, onPolicy);
  // A workload that changes while a key rolls it may have finished its rollout.
  const onWorkload = (kind: string, workload: KubernetesObject): void => {
    for (const key of cachedKeys(workload.metadata?.namespace)) {
      const rolling = key.status?.rotation?.dependents?.some((d) => d.kind === kind && d.name === workload.metadata?.name);
      if (rolling) enqueue(key);
    }
  };
  for (const { kind, informers } of workloadInformers) for (const inf of informers) inf.on('update', (w) => { onWorkload(kind, w); });

  const throttle = new RolloutThrottle((scope) => {
    const held = new Map<string, number>();
    for (const key of cachedKeys()) if (throttleScopeOf(key) === scope) held.set(keyOf(key), slotsHeld(key.status?.rotation?.dependents));
    return held;
  });
  const hints: CacheHints = {
    // The pending Secret's name is derived from the owner's uid, so a cache lookup is O(1).
    hasPendingSecret: (key) => secretInformers.some((inf) => inf.get(pendingSecretNameOf(key), key.metadata.namespace) !== undefined),
    policy: (namespace, name) => policyInformers.map((inf) => inf.get(name, namespace)).find((p) => p !== undefined),
  };
  const deps: Deps = { ...options.deps, throttle, log };
  // Level-based safety net: every key is reconciled again each resync period.
  const resync = every(options.deps.clock, options.resyncMs, () => { for (const key of cachedKeys()) enqueue(key); });
  queue.run(async (key) => {
    const [namespace = '', name = ''] = key.split('/');
    return reconcile(namespace, name, deps, hints);
  }, options.concurrency);
  return {
    async stop() {
      resync.stop();
      await queue.shutdown({ drain: true, timeoutMs: 20_000 });
    },
    keys: () => cachedKeys(),
  };
}
