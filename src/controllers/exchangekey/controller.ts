// The ExchangeKey controller: informers turn API events into queue keys, the queue runs reconcile
// with per-key backoff, and a periodic resync keeps it level-based (an idle resync writes nothing).
import { Watch, type KubernetesListObject, type KubernetesObject, type V1Secret } from '@kubernetes/client-node';
import {
  EXCHANGE_KEYS,
  LABEL_EXCHANGE_KEY,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  type ExchangeKey,
} from '../../api/v1alpha1/index.ts';
import type { KubeClient } from '../../runtime/kube/client.ts';
import { collectionPath, SECRETS, type ResourceKind } from '../../runtime/kube/paths.ts';
import { ResilientInformer, listWatchFactory, type InformerHealth } from '../../runtime/informer.ts';
import { WorkQueue, type WorkQueueObserver } from '../../runtime/workqueue.ts';
import type { Deps } from './deps.ts';
import type { CacheHints } from './gather.ts';
import { ChangeFilter } from './predicates.ts';
import { reconcile } from './reconciler.ts';
import { pendingSecretNameOf } from './spec.ts';

/** Controller settings. */
export interface ControllerOptions {
  kube: KubeClient;
  deps: Deps;
  /** Namespaces to watch; undefined watches the whole cluster. */
  namespaces?: string[];
  concurrency: number;
  resyncMs: number;
  queueObserver?: WorkQueueObserver<string>;
}

/** A running controller. */
export interface RunningController {
  /** True once every informer has listed at least once. */
  synced(): boolean;
  health(): InformerHealth[];
  /** Resolves when every informer has synced (false if stopped first). */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  /** Stops informers, drains in-flight reconciles. */
  stop(): Promise<void>;
}

/** Starts the ExchangeKey controller. */
export function startExchangeKeyController(options: ControllerOptions): RunningController {
  const { deps } = options;
  const log = deps.log.child({ controller: 'exchangekey' });
  const queue = new WorkQueue<string>({
    name: 'exchangekey', clock: deps.clock, logger: log,
    ...(options.queueObserver ? { observer: options.queueObserver } : {}),
  });
  const scopes = options.namespaces ?? [undefined];
  const enqueue = (obj: KubernetesObject): void => {
    queue.add(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`);
  };
  const keyInformers = scopes.map((namespace) =>
    informer<ExchangeKey>(options, { kind: EXCHANGE_KEYS, namespace, resync: { periodMs: options.resyncMs, onResync: enqueue } }),
  );
  const secretInformers = scopes.map((namespace) =>
    informer<V1Secret>(options, { kind: SECRETS, namespace, labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}` }),
  );
  const changes = new ChangeFilter();
  const keyOf = (obj: KubernetesObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
  for (const inf of keyInformers) {
    inf.on('add', (obj) => { changes.added(keyOf(obj), obj); enqueue(obj); });
    inf.on('update', (obj) => { if (changes.updated(keyOf(obj), obj)) enqueue(obj); });
    inf.on('delete', (obj) => { changes.deleted(keyOf(obj)); enqueue(obj); });
  }
  // exkey writes these Secrets itself; only their disappearance is news (the resync covers the rest).
  const enqueueOwner = (secret: V1Secret): void => {
    const owner = secret.metadata?.labels?.[LABEL_EXCHANGE_KEY];
    if (owner) queue.add(`${secret.metadata?.namespace ?? ''}/${owner}`);
  };
  for (const inf of secretInformers) inf.on('delete', enqueueOwner);
  // The pending Secret's name is derived from the owner's uid, so a cache lookup is O(1).
  const hints: CacheHints = {
    hasPendingSecret: (key) =>
      secretInformers.some((inf) => inf.get(pendingSecretNameOf(key), key.metadata.namespace) !== undefined),
  };
  const all = [...keyInformers, ...secretInformers];
  for (const inf of all) inf.start();
  queue.run(async (key) => {
    const [namespace = '', name = ''] = key.split('/');
    await reconcile(namespace, name, { ...deps, log }, hints);
    return {};
  }, options.concurrency);
  return {
    synced: () => all.every((inf) => inf.hasSynced()),
    health: () => all.map((inf) => inf.health()),
    waitForSync: async (signal) => (await Promise.all(all.map((inf) => inf.waitForSync(signal)))).every(Boolean),
    async stop() {
      await Promise.all(all.map((inf) => inf.stop()));
      await queue.shutdown({ drain: true, timeoutMs: 20_000 });
    },
  };
}

interface InformerSpec<T> {
  kind: ResourceKind;
  namespace: string | undefined;
  labelSelector?: string;
  resync?: { periodMs: number; onResync: (obj: T) => void };
}

function informer<T extends KubernetesObject>(
  options: ControllerOptions,
  { kind, namespace, labelSelector, resync }: InformerSpec<T>,
): ResilientInformer<T> {
  const path = collectionPath(kind, namespace);
  const listFn = (): Promise<KubernetesListObject<T>> =>
    options.kube.send<KubernetesListObject<T>>({ method: 'GET', path, query: { labelSelector } });
  return new ResilientInformer<T>({
    name: `${kind.plural}${namespace ? `@${namespace}` : ''}`,
    listFn,
    listWatch: listWatchFactory<T>({
      watch: new Watch(options.kube.config), path, clock: options.deps.clock,
      ...(labelSelector ? { labelSelector } : {}),
    }),
    clock: options.deps.clock,
    logger: options.deps.log,
    ...(resync ? { resync } : {}),
  });
}
