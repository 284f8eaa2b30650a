// Small idempotent helpers for `exkey dev`.
import type { ExchangeKey } from '../api/v1alpha1/index.ts';
import { EXCHANGE_KEYS } from '../api/v1alpha1/index.ts';
import { isAlreadyExists, isNotFound } from '../runtime/kube/errors.ts';
import type { KubeTransport } from '../runtime/kube/client.ts';
import { SECRETS, collectionPath, objectPath } from '../runtime/kube/paths.ts';

/** Creates a namespace unless it exists. */
export async function ensureNamespace(kube: KubeTransport, name: string): Promise<void> {
  try {
    await kube.send({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Creates or replaces an Opaque Secret with string data. */
export async function ensureSecret(kube: KubeTransport, namespace: string, name: string, data: Record<string, string>): Promise<void> {
  const body = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace }, stringData: data };
  try {
    await kube.send({ method: 'POST', path: collectionPath(SECRETS, namespace), body });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    await kube.send({ method: 'PATCH', path: objectPath(SECRETS, namespace, name), patchType: 'merge', body: { stringData: data } });
  }
}

/** Polls until the ExchangeKey is Ready (true) or the timeout passes (false). */
export async function waitForReady(kube: KubeTransport, namespace: string, name: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const key = await kube.send<ExchangeKey>({ method: 'GET', path: objectPath(EXCHANGE_KEYS, namespace, name) });
      if (key.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return true;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await new Promise((resolve) => { setTimeout(resolve, 250); });
  }
  return false;
}
