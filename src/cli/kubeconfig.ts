// Where the operator's cluster comes from: --kubeconfig, $KUBECONFIG, in-cluster, ~/.kube/config.
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** True when some cluster is configured for this process. */
export function clusterConfigured(explicit?: string): boolean {
  if (explicit || process.env.KUBECONFIG) return true;
  if (process.env.KUBERNETES_SERVICE_HOST) return true;
  return existsSync(join(homedir(), '.kube', 'config'));
}

/** Loads the kubeconfig the way kubectl would (explicit file first). */
export function loadKubeConfig(explicit?: string): KubeConfig {
  const kc = new KubeConfig();
  if (explicit) kc.loadFromFile(explicit);
  else kc.loadFromDefault();
  return kc;
}
