// Writes the files a fresh control plane needs before and right after the API server starts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Layout } from './layout.ts';
import { kubeconfigYaml, newIdentities, serviceAccountKeyPair, tokenFile, type Identities } from './pki.ts';

function write(path: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
}

/** Creates the directory tree, the service-account key pair and the token file; returns the identities. */
export function writeBootstrapFiles(layout: Layout): Identities {
  for (const dir of [layout.etcdData, layout.kwokHome, layout.certDir('kube-apiserver'),
    layout.certDir('kube-controller-manager'), layout.certDir('kube-scheduler')]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const ids = newIdentities();
  const keys = serviceAccountKeyPair();
  write(layout.saPrivateKey, keys.privateKeyPem);
  write(layout.saPublicKey, keys.publicKeyPem, 0o644);
  write(layout.tokenFile, tokenFile(ids));
  return ids;
}

/** Writes the API server's CA and one kubeconfig per client (admin, controller manager, scheduler, kwok). */
export function writeClientFiles(layout: Layout, server: string, caPem: string, ids: Identities): void {
  write(layout.apiserverCa, caPem, 0o644);
  write(layout.kubeconfig, kubeconfigYaml(server, caPem, ids.admin));
  write(layout.componentKubeconfig('kube-controller-manager'), kubeconfigYaml(server, caPem, ids.controllerManager));
  write(layout.componentKubeconfig('kube-scheduler'), kubeconfigYaml(server, caPem, ids.scheduler));
  write(layout.componentKubeconfig('kwok'), kubeconfigYaml(server, caPem, ids.kwok));
}
