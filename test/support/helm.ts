// The chart under test: helm (the cached build), kubectl against the test cluster, and a
// kubeconfig that authenticates as a ServiceAccount instead of the admin.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';

export const CHART = join(import.meta.dirname, '../../charts/exkey');
export const CI_VALUES = {
  namespaced: join(CHART, 'ci/namespaced-values.yaml'),
  allFeatures: join(CHART, 'ci/all-features-values.yaml'),
};
const KUBECTL = process.env.EXKEY_KUBECTL ?? '/usr/bin/kubectl';

/** What a command printed, and how it ended. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin args` (stdin optional) without throwing. */
export function run(bin: string, args: string[], input?: string): Run {
  const result = spawnSync(bin, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs kubectl with `kubeconfig`; throws with its stderr on failure. */
export function kubectl(kubeconfig: string, args: string[], input?: string): string {
  const result = run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], input);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** Release name and namespace, and the values to render with. */
export interface TemplateOptions {
  namespace: string;
  valuesFiles?: string[];
  set?: string[];
  includeCrds?: boolean;
  showOnly?: string[];
}

/** `helm template exkey charts/exkey ...`; throws with helm's stderr on failure. */
export function helmTemplate(helm: string, options: TemplateOptions): string {
  const args = ['template', 'exkey', CHART, '--namespace', options.namespace];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const value of options.set ?? []) args.push('--set', value);
  if (options.includeCrds) args.push('--include-crds');
  for (const template of options.showOnly ?? []) args.push('--show-only', template);
  const result = run(helm, args);
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** A Kubernetes object as rendered (only the fields the tests read). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** The non-empty documents of a multi-document YAML stream. */
export function manifests(yaml: string): Manifest[] {
  return parseAllDocuments(yaml).map((doc) => doc.toJS() as Manifest | null).filter((m): m is Manifest => m !== null);
}

/** Back to one YAML stream. */
export function toStream(objects: Manifest[]): string {
  return objects.map((o) => `---\n${stringify(o)}`).join('');
}

/**
 * A kubeconfig file for ServiceAccount `namespace/name`: the admin kubeconfig's cluster (server
 * and CA) with a token from the TokenRequest API, so requests are authorized by the account's RBAC.
 */
export function serviceAccountKubeconfig(adminKubeconfig: string, namespace: string, name: string): string {
  const token = kubectl(adminKubeconfig, ['create', 'token', name, '-n', namespace, '--duration', '1h']).trim();
  const admin = new KubeConfig();
  admin.loadFromFile(adminKubeconfig);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error(`${adminKubeconfig} has no current cluster`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token }],
    contexts: [{ name, cluster: cluster.name, user: name, namespace }],
    currentContext: name,
  });
  const path = join(mkdtempSync(join(tmpdir(), 'exkey-sa-')), 'kubeconfig');
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}
