// Applies YAML manifests (CRDs first) with server-side apply, as `kubectl apply --server-side` would.
import { readFileSync } from 'node:fs';
import { ApiextensionsV1Api, KubeConfig, type KubernetesObject, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { KubeClient } from '../runtime/kube/client.ts';
import { ServerSideApplier, type ApplyObject } from '../runtime/kube/apply.ts';
import { parseAllDocuments } from 'yaml';
import { waitUntil } from './wait.ts';

/** Field manager recorded on everything this module applies. */
export const fieldManager = 'exkey-localenv';

function kubeConfigOf(kubeconfig: string | KubeConfig): KubeConfig {
  if (kubeconfig instanceof KubeConfig) return kubeconfig;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc;
}

/** Every non-empty document of the given YAML files, in file order; throws on YAML errors. */
export function readManifests(files: string[]): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const obj = doc.toJS() as KubernetesObject | null;
      if (obj === null) continue;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error(`${file}: a document lacks apiVersion, kind or metadata.name`);
      objects.push(obj);
    }
  }
  return objects;
}

function isCrd(obj: KubernetesObject): boolean {
  return obj.kind === 'CustomResourceDefinition' && (obj.apiVersion ?? '').startsWith('apiextensions.k8s.io/');
}

// Raw server-side apply: client-node's KubernetesObjectApi re-encodes objects through typed
// models and drops a CRD's x-kubernetes-validations (see src/runtime/kube/apply.ts).
async function applyAll(applier: ServerSideApplier, objects: KubernetesObject[]): Promise<void> {
  for (const obj of objects) await applier.apply(obj as ApplyObject);
}

/**
 * Server-side applies every document of `files` (force, field manager "exkey-localenv"). CRDs go
 * first and are waited on until Established, so the same batch may contain their custom resources.
 * Returns the objects applied.
 */
export async function applyManifests(kubeconfig: string | KubeConfig, files: string[], timeoutMs = 30_000): Promise<KubernetesObject[]> {
  const kc = kubeConfigOf(kubeconfig);
  const objects = readManifests(files);
  const crds = objects.filter(isCrd);
  const kube = new KubeClient(kc, { userAgent: fieldManager });
  try {
    const applier = new ServerSideApplier(kube, fieldManager);
    await applyAll(applier, crds);
    await waitForCrdsEstablished(kc, crds.map((c) => c.metadata?.name ?? ''), timeoutMs);
    // Discovery cached before the CRDs existed would not know their kinds.
    applier.resetDiscovery();
    await applyAll(applier, objects.filter((o) => !isCrd(o)));
    return objects;
  } finally {
    await kube.close();
  }
}

/** Waits until each named CRD reports Established=True and NamesAccepted=True. */
export async function waitForCrdsEstablished(kubeconfig: string | KubeConfig, names: string[], timeoutMs = 30_000): Promise<void> {
  const kc = kubeConfigOf(kubeconfig);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const pending = new Set(names);
  await waitUntil(async () => {
    for (const name of [...pending]) {
      const crd = await api.readCustomResourceDefinition({ name });
      const conditions = crd.status?.conditions ?? [];
      const isTrue = (type: string): boolean => conditions.some((c) => c.type === type && c.status === 'True');
      if (isTrue('Established') && isTrue('NamesAccepted') && (await listable(kc, crd))) pending.delete(name);
    }
    return pending.size === 0 ? true : undefined;
  }, { timeoutMs, intervalMs: 100, description: 'CRDs Established and served' }, () => `not yet: ${[...pending].join(', ')}`);
}

// Established does not mean served: for a moment after it, lists answer 429 "storage is
// (re)initializing". Waiting for one successful list spares every client that first failure.
async function listable(kc: KubeConfig, crd: V1CustomResourceDefinition): Promise<boolean> {
  const version = crd.spec.versions.find((v) => v.served)?.name;
  if (!version) return false;
  const kube = new KubeClient(kc, { userAgent: fieldManager });
  try {
    await kube.send({ method: 'GET', path: `/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`, query: { limit: 1 } });
    return true;
  } catch {
    return false;
  } finally {
    await kube.close();
  }
}
