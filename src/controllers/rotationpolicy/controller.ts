// The RotationPolicy controller: keeps each policy's status (validity, keys governed, next
// rotation) current. Scheduling itself happens on the ExchangeKeys; this controller reports.
import type { KubernetesObject } from '@kubernetes/client-node';
import { EXCHANGE_KEYS, ROTATION_POLICIES, type ExchangeKey, type RotationPolicy } from '../../api/v1alpha1/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { KubeClient } from '../../runtime/kube/client.ts';
import { every, type SharedInformers } from '../../runtime/kube/shared-informers.ts';
import { objectPath } from '../../runtime/kube/paths.ts';
import { isConflict, isNotFound } from '../../runtime/kube/errors.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import { sameStatus } from '../exchangekey/plan.ts';
import { policyStatus } from './status.ts';

/** Settings of the RotationPolicy controller. */
export interface PolicyControllerOptions {
  kube: KubeClient;
  informers: SharedInformers;
  clock: Clock;
  logger: Logger;
  namespaces?: string[];
  resyncMs: number;
}

/** A running RotationPolicy controller. */
export interface RunningPolicyController {
  stop(): Promise<void>;
}

/** Starts the RotationPolicy controller. */
export function startRotationPolicyController(options: PolicyControllerOptions): RunningPolicyController {
  const log = options.logger.child({ controller: 'rotationpolicy' });
  const queue = new WorkQueue<string>({ name: 'rotationpolicy', clock: options.clock, logger: log });
  const scopes = options.namespaces ?? [undefined];
  const enqueue = (obj: KubernetesObject): void => { queue.add(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`); };
  const policies = scopes.map((namespace) => options.informers.for<RotationPolicy>({ kind: ROTATION_POLICIES, namespace }));
  const keys = scopes.map((namespace) => options.informers.for<ExchangeKey>({ kind: EXCHANGE_KEYS, namespace }));
  const resync = every(options.clock, options.resyncMs, () => { for (const inf of policies) for (const p of inf.list()) enqueue(p); });
  for (const inf of policies) for (const verb of ['add', 'update'] as const) inf.on(verb, enqueue);
  // A key joining, leaving or rescheduling changes its policy's counts.
  const onKey = (key: ExchangeKey): void => {
    const name = key.spec.rotationPolicyRef?.name;
    if (name) queue.add(`${key.metadata.namespace}/${name}`);
  };
  for (const inf of keys) for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, onKey);
  queue.run(async (id) => {
    const [namespace = '', name = ''] = id.split('/');
    const policy = policies.map((inf) => inf.get(name, namespace)).find((p) => p !== undefined);
    if (!policy) return {};
    const status = policyStatus(policy, keys.flatMap((inf) => inf.list(namespace)), options.clock.now());
    if (sameStatus(status, policy.status)) return {};
    try {
      await options.kube.send({ method: 'PUT', path: objectPath(ROTATION_POLICIES, namespace, name, 'status'), body: { ...policy, status } });
    } catch (err) {
      // The cached policy was stale (a conflict) or is gone: both are ordinary; look again soon.
      if (isConflict(err)) return { requeueAfterMs: 200 };
      if (!isNotFound(err)) throw err;
    }
    return {};
  }, 2);
  return {
    async stop() {
      resync.stop();
      await queue.shutdown({ drain: true, timeoutMs: 10_000 });
    },
  };
}
