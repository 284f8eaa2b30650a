// The RotationPolicy controller: keeps each policy's status (validity, keys governed, next
// rotation) current. Scheduling itself happens on the ExchangeKeys; this controller reports.
import type { KubernetesObject } from '@kubernetes/client-node';
import { EXCHANGE_KEYS, ROTATION_POLICIES, type ExchangeKey, type RotationPolicy } from '../../api/v1alpha1/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { KubeClient } from '../../runtime/kube/client.ts';
import { createInformer } from '../../runtime/kube/informers.ts';
import { objectPath } from '../../runtime/kube/paths.ts';
import { isNotFound } from '../../runtime/kube/errors.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import { sameStatus } from '../exchangekey/plan.ts';
import { policyStatus } from './status.ts';

/** Settings of the RotationPolicy controller. */
export interface PolicyControllerOptions {
  kube: KubeClient;
  clock: Clock;
  logger: Logger;
  namespaces?: string[];
  resyncMs: number;
}

/** A running RotationPolicy controller. */
export interface RunningPolicyController {
  synced(): boolean;
  stop(): Promise<void>;
}

/** Starts the RotationPolicy controller. */
export function startRotationPolicyController(options: PolicyControllerOptions): RunningPolicyController {
  const log = options.logger.child({ controller: 'rotationpolicy' });
  const queue = new WorkQueue<string>({ name: 'rotationpolicy', clock: options.clock, logger: log });
  const scopes = options.namespaces ?? [undefined];
  const enqueue = (obj: KubernetesObject): void => { queue.add(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`); };
  const env = { kube: options.kube, clock: options.clock, logger: options.logger };
  const policies = scopes.map((namespace) =>
    createInformer<RotationPolicy>(env, { kind: ROTATION_POLICIES, namespace, resync: { periodMs: options.resyncMs, onResync: enqueue } }));
  const keys = scopes.map((namespace) => createInformer<ExchangeKey>(env, { kind: EXCHANGE_KEYS, namespace }));
  for (const inf of policies) for (const verb of ['add', 'update'] as const) inf.on(verb, enqueue);
  // A key joining, leaving or rescheduling changes its policy's counts.
  const onKey = (key: ExchangeKey): void => {
    const name = key.spec.rotationPolicyRef?.name;
    if (name) queue.add(`${key.metadata.namespace}/${name}`);
  };
  for (const inf of keys) for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, onKey);
  const all = [...policies, ...keys];
  for (const inf of all) inf.start();
  queue.run(async (id) => {
    const [namespace = '', name = ''] = id.split('/');
    const policy = policies.map((inf) => inf.get(name, namespace)).find((p) => p !== undefined);
    if (!policy) return {};
    const status = policyStatus(policy, keys.flatMap((inf) => inf.list(namespace)), options.clock.now());
    if (sameStatus(status, policy.status)) return {};
    try {
      await options.kube.send({ method: 'PUT', path: objectPath(ROTATION_POLICIES, namespace, name, 'status'), body: { ...policy, status } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return {};
  }, 2);
  return {
    synced: () => all.every((inf) => inf.hasSynced()),
    async stop() {
      await Promise.all(all.map((inf) => inf.stop()));
      await queue.shutdown({ drain: true, timeoutMs: 10_000 });
    },
  };
}
