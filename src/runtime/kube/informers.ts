// Builds a self-restarting informer for one resource kind over exkey's REST client.
import { Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../clock.ts';
import { ResilientInformer, listWatchFactory } from '../informer.ts';
import type { KubeClient } from './client.ts';
import { collectionPath, type ResourceKind } from './paths.ts';

/** What to watch. */
export interface InformerSpec<T> {
  kind: ResourceKind;
  /** Undefined watches every namespace. */
  namespace?: string | undefined;
  labelSelector?: string;
  resync?: { periodMs: number; onResync: (obj: T) => void };
}

/** Where informers get their client, clock and logger. */
export interface InformerEnv {
  kube: KubeClient;
  clock: Clock;
  logger: Logger;
}

/** A ResilientInformer for `spec` (not started). */
export function createInformer<T extends KubernetesObject>(env: InformerEnv, spec: InformerSpec<T>): ResilientInformer<T> {
  const { kind, namespace, labelSelector, resync } = spec;
  const path = collectionPath(kind, namespace);
  return new ResilientInformer<T>({
    name: `${kind.plural}${namespace ? `@${namespace}` : ''}`,
    listFn: () => env.kube.send<KubernetesListObject<T>>({ method: 'GET', path, query: { labelSelector } }),
    listWatch: listWatchFactory<T>({
      watch: new Watch(env.kube.config), path, clock: env.clock,
      ...(labelSelector ? { labelSelector } : {}),
    }),
    clock: env.clock,
    logger: env.logger,
    ...(resync ? { resync } : {}),
  });
}
