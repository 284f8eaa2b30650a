// Reads and rolls the workloads named in spec.dependents[], through exkey's KubeTransport.
// Paths are built here rather than in runtime/kube/paths.ts: only this module touches apps/v1.
import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeTransport } from '../../runtime/kube/client.ts';
import { isNotFound } from '../../runtime/kube/errors.ts';
import { labelSelectorString, type DependentSpec } from './selector.ts';

export type { DependentSpec } from './selector.ts';

/** A dependent workload kind. */
export type WorkloadKind = DependentSpec['kind'];

/** A workload by kind and name (in the ExchangeKey's namespace). */
export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

/** A workload as last read from the API server. */
export type Workload =
  | { kind: 'Deployment'; name: string; object: V1Deployment }
  | { kind: 'StatefulSet'; name: string; object: V1StatefulSet }
  | { kind: 'DaemonSet'; name: string; object: V1DaemonSet };

/** What spec.dependents[] resolved to: the workloads that exist, and the named ones that do not. */
export interface ResolvedDependents {
  /** De-duplicated by kind/name, sorted by kind then name. */
  workloads: Workload[];
  /** Named dependents that do not exist (404); selectors that match nothing are not listed. */
  missing: WorkloadRef[];
}

type WorkloadObject = Workload['object'];

const plurals: Record<WorkloadKind, string> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

function collectionPath(namespace: string, kind: WorkloadKind): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${plurals[kind]}`;
}

function objectPath(namespace: string, kind: WorkloadKind, name: string): string {
  return `${collectionPath(namespace, kind)}/${encodeURIComponent(name)}`;
}

function toWorkload(kind: WorkloadKind, object: WorkloadObject): Workload {
  // The kind decides the object's type; the union cannot be narrowed from a runtime string.
  return { kind, name: object.metadata?.name ?? '', object } as Workload;
}

function refKey(ref: WorkloadRef): string {
  return `${ref.kind}/${ref.name}`;
}

function compareRefs(a: WorkloadRef, b: WorkloadRef): number {
  const x = refKey(a);
  const y = refKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Reads one workload; undefined when it does not exist. Other API failures are thrown. */
export async function getWorkload(kube: KubeTransport, namespace: string, kind: WorkloadKind, name: string): Promise<Workload | undefined> {
  try {
    return toWorkload(kind, await kube.send<WorkloadObject>({ method: 'GET', path: objectPath(namespace, kind, name) }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function listWorkloads(kube: KubeTransport, namespace: string, dependent: DependentSpec): Promise<Workload[]> {
  const labelSelector = labelSelectorString(dependent.selector ?? {});
  const list = await kube.send<{ items?: WorkloadObject[] }>({
    method: 'GET',
    path: collectionPath(namespace, dependent.kind),
    query: { labelSelector: labelSelector === '' ? undefined : labelSelector },
  });
  return (list.items ?? []).map((item) => toWorkload(dependent.kind, item));
}

/**
 * Resolves spec.dependents[] in `namespace`: a named dependent is read (a 404 lands in `missing`),
 * a selector lists every workload of its kind whose labels match. A workload that several entries
 * select appears once. Any other API failure is thrown.
 */
export async function resolveDependents(kube: KubeTransport, namespace: string, dependents: DependentSpec[]): Promise<ResolvedDependents> {
  const found = new Map<string, Workload>();
  const missing = new Map<string, WorkloadRef>();
  const results = await Promise.all(dependents.map(async (dependent) => {
    if (dependent.name === undefined) return { dependent, workloads: await listWorkloads(kube, namespace, dependent) };
    const workload = await getWorkload(kube, namespace, dependent.kind, dependent.name);
    return { dependent, workloads: workload ? [workload] : [] };
  }));
  for (const { dependent, workloads } of results) {
    for (const workload of workloads) found.set(refKey(workload), workload);
    if (dependent.name !== undefined && workloads.length === 0) {
      const ref = { kind: dependent.kind, name: dependent.name };
      missing.set(refKey(ref), ref);
    }
  }
  return { workloads: [...found.values()].sort(compareRefs), missing: [...missing.values()].sort(compareRefs) };
}

/**
 * Rolls a workload to key `version`: a merge patch of spec.template.metadata.annotations[annotationKey].
 * Idempotent: when the template already carries the value the API server treats the patch as a
 * no-op (no new generation, no new pods). Returns the workload as patched; a missing workload is a
 * KubeApiError (404).
 */
export async function rollWorkload(
  kube: KubeTransport,
  namespace: string,
  ref: WorkloadRef,
  roll: { annotationKey: string; version: number },
): Promise<Workload> {
  const body = { spec: { template: { metadata: { annotations: { [roll.annotationKey]: String(roll.version) } } } } };
  const object = await kube.send<WorkloadObject>({
    method: 'PATCH', path: objectPath(namespace, ref.kind, ref.name), body, patchType: 'merge',
  });
  return toWorkload(ref.kind, object);
}
