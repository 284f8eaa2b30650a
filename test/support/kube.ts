// Helpers for integration tests that run against the local control plane (or EXKEY_TEST_KUBECONFIG).
import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

/** A client-node KubeConfig loaded from a kubeconfig file (e.g. inject('kubeconfigPath')). */
export function kubeConfigFromPath(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** How long and how often waitFor polls, and what it is waiting for (used in the timeout error). */
export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  description: string;
}

function show(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Polls `predicate` until it returns a truthy value, and returns that value. The predicate may call
 * `observe(x)` to record what it saw; on timeout the error carries the description and the last
 * observation (else the last falsy return or thrown error), so a failing test says what it found.
 */
export async function waitFor<T>(
  predicate: (observe: (seen: unknown) => void) => Promise<T> | T,
  options: WaitForOptions,
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    let observed: { value: unknown } | undefined;
    try {
      const value = await predicate((seen) => { observed = { value: seen }; });
      if (value) return value;
      last = observed ? observed.value : value;
    } catch (err) {
      last = observed ? observed.value : err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description}; last observed: ${show(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

/** A namespace made for one test, and how to remove it. */
export interface TestNamespace {
  name: string;
  /** Deletes the namespace (does not wait for it to finish terminating). */
  cleanup(): Promise<void>;
}

/**
 * Creates a uniquely named namespace and waits for its `default` ServiceAccount: the
 * ServiceAccount admission plugin is on, so pods are refused in a namespace until it exists.
 */
export async function createTestNamespace(kc: KubeConfig, prefix = 'test'): Promise<TestNamespace> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'exkey.io/test': 'true' } } };
  await objects.create(namespace);
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(() => core.readNamespacedServiceAccount({ name: 'default', namespace: name }), {
    timeoutMs: 30_000,
    description: `ServiceAccount ${name}/default`,
  });
  return {
    name,
    cleanup: async () => {
      try {
        await core.deleteNamespace({ name });
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      }
    },
  };
}
