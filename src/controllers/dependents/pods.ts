// The last word on whether a rollout is over: the workload's pods themselves. Workload status
// cannot see a pod that is still terminating (a DaemonSet surge, a slow shutdown), and such a
// pod still holds the old key, so the old key must not be revoked while one exists.
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeTransport } from '../../runtime/kube/client.ts';
import { labelSelectorString, type LabelSelector } from './selector.ts';
import type { Workload } from './workloads.ts';

/** Pods selected by the workload that do not carry `version` in `annotationKey` (terminating ones included). */
export async function stalePods(kube: KubeTransport, namespace: string, workload: Workload, roll: { annotationKey: string; version: number }): Promise<number> {
  const selector = workload.object.spec?.selector as LabelSelector | undefined;
  if (!selector) return 0;
  const list = await kube.send<{ items?: V1Pod[] }>({
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    query: { labelSelector: labelSelectorString(selector) },
  });
  const want = String(roll.version);
  return (list.items ?? []).filter((pod) => pod.metadata?.annotations?.[roll.annotationKey] !== want).length;
}
