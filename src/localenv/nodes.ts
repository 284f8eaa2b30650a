// Fake nodes: plain Node objects that kwok adopts (by annotation) and keeps Ready, so the
// scheduler places pods on them and kwok moves those pods to Running/Ready.
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, type V1Node } from '@kubernetes/client-node';
import { kwokNodeAnnotation } from './components.ts';
import { waitUntil } from './wait.ts';

/** Loads a kubeconfig file into a client-node KubeConfig. */
export function kubeConfigFromFile(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/**
 * A Node manifest as plain data. (client-node's model types are classes, and the lint rule
 * no-unsafe-class-instance-assignment rightly refuses object literals typed as them.)
 */
export interface NodeManifest {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> };
}

/** The Node object for fake node `name`: no taints, label type=kwok, adopted by kwok. */
export function fakeNode(name: string): NodeManifest {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [kwokNodeAnnotation.key]: kwokNodeAnnotation.value, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        type: 'kwok',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
      },
    },
  };
}

/** Creates fake nodes kwok-node-0..count-1 (existing ones are kept) and returns their names. */
export async function createFakeNodes(kc: KubeConfig, count: number): Promise<string[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
  for (const name of names) {
    try {
      const node = fakeNode(name);
      await api.create(node);
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
    }
  }
  return names;
}

function nodeState(node: V1Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'missing';
  const taints = (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(',');
  return `${node.metadata?.name ?? '?'} Ready=${ready}${taints ? ` taints=${taints}` : ''}`;
}

/**
 * Waits until every named node is Ready and untainted. New nodes start with the not-ready taint
 * (TaintNodesByCondition); the node lifecycle controller lifts it after kwok reports Ready.
 */
export async function waitForNodesReady(kc: KubeConfig, names: string[], options: { timeoutMs: number; abortIf?: () => string | undefined }): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  let seen = '';
  await waitUntil(async () => {
    const nodes = (await core.listNode()).items.filter((n) => names.includes(n.metadata?.name ?? ''));
    seen = nodes.map(nodeState).join('; ');
    const ok = nodes.length === names.length && nodes.every((n) => nodeState(n).endsWith('Ready=True'));
    return ok ? true : undefined;
  }, { timeoutMs: options.timeoutMs, intervalMs: 250, description: `nodes ${names.join(', ')} Ready without taints`, abortIf: options.abortIf }, () => seen);
}

/**
 * Waits for the `default` ServiceAccount in `namespace`: proof the controller manager works, and
 * needed before pods can be admitted there (the ServiceAccount admission plugin is on).
 */
export async function waitForDefaultServiceAccount(kc: KubeConfig, namespace: string, options: { timeoutMs: number; abortIf?: () => string | undefined }): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitUntil(async () => {
    await core.readNamespacedServiceAccount({ name: 'default', namespace });
    return true;
  }, { timeoutMs: options.timeoutMs, intervalMs: 200, description: `ServiceAccount ${namespace}/default`, abortIf: options.abortIf });
}
