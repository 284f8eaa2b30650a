// The Helm chart (charts/exkey) against the real control plane: it lints clean, renders in both
// watch modes with and without its optional parts, every rendered object passes a server-side
// dry run, deploy/ is in sync, and, above all, the operator running under the chart's own
// ServiceAccount and RBAC (not as admin) takes a Bybit key through issue, rotation and deletion.
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXCHANGE_KEYS, ROTATION_POLICIES } from '../../src/api/v1alpha1/index.ts';
import { loadOrCreateKeyRing } from '../../src/controllers/encryption/local-keyring.ts';
import { operatorEncryption } from '../../src/controllers/encryption/providers.ts';
import { decodeMaterial, type KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
// The operator module loads every module that registers a metric.
import '../../src/operator.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { objectPath } from '../../src/runtime/kube/paths.ts';
import { helmBinary } from '../../scripts/render-deploy.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { CHART, CI_VALUES, helmTemplate, kubectl, manifests, run, serviceAccountKubeconfig, toStream, type Manifest } from '../support/helm.ts';
import { createTestNamespace, kubeConfigFromPath, waitFor, type TestNamespace } from '../support/kube.ts';
import { startOperatorProcess, type OperatorProcess } from '../support/operator-process.ts';

const VALUE_SETS = [
  { name: 'defaults (cluster mode)', files: [] },
  { name: 'namespaces mode', files: [CI_VALUES.namespaced] },
  { name: 'every optional feature', files: [CI_VALUES.allFeatures] },
  { name: 'namespaces mode with every optional feature', files: [CI_VALUES.allFeatures, CI_VALUES.namespaced] },
];
// Kinds whose CRDs (prometheus-operator) the test cluster does not have.
const MONITORING_KINDS = new Set(['ServiceMonitor', 'PrometheusRule']);

let helm: string;
let admin: string;
const namespaces: TestNamespace[] = [];

async function namespace(prefix: string): Promise<string> {
  const ns = await createTestNamespace(kubeConfigFromPath(admin), prefix);
  namespaces.push(ns);
  return ns.name;
}

const kinds = (objects: Manifest[]): string[] => objects.map((o) => o.kind);

beforeAll(() => {
  helm = helmBinary();
  admin = inject('kubeconfigPath');
}, 600_000);

afterAll(async () => {
  for (const ns of namespaces) await ns.cleanup();
});

describe('helm lint and template', () => {
  it.each(VALUE_SETS)('should lint clean (--strict) with $name', ({ files }) => {
    const result = run(helm, ['lint', '--strict', CHART, ...files.flatMap((f) => ['--values', f])]);
    expect(result.stderr + result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.status).toBe(0);
  });

  it('should render cluster mode with a ClusterRole, and nothing optional by default', () => {
    const objects = manifests(helmTemplate(helm, { namespace: 'exkey-system' }));
    expect(kinds(objects).sort()).toEqual([
      'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount',
    ]);
    const args = (objects.find((o) => o.kind === 'Deployment') as any).spec.template.spec.containers[0].args as string[];
    expect(args).toEqual(expect.arrayContaining(['operator', '--namespace=exkey-system', '--leader-elect']));
    expect(args.some((a) => a.startsWith('--watch-namespaces'))).toBe(false);
  });

  it('should render namespaces mode with a Role per watched namespace and nothing cluster-wide', () => {
    const objects = manifests(helmTemplate(helm, { namespace: 'exkey-system', set: ['watch.mode=namespaces', 'watch.namespaces={a,b}'] }));
    expect(kinds(objects)).not.toContain('ClusterRole');
    expect(kinds(objects)).not.toContain('ClusterRoleBinding');
    const roles = objects.filter((o) => o.kind === 'Role').map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
    expect(roles).toEqual(['a/exkey', 'b/exkey', 'exkey-system/exkey-self']);
    const args = (objects.find((o) => o.kind === 'Deployment') as any).spec.template.spec.containers[0].args as string[];
    expect(args).toContain('--watch-namespaces=a,b');
  });

  it('should render every optional part, with alerts on metrics exkey exports', () => {
    const objects = manifests(helmTemplate(helm, { namespace: 'exkey-system', valuesFiles: [CI_VALUES.allFeatures] }));
    expect(kinds(objects)).toEqual(expect.arrayContaining(['ServiceMonitor', 'PrometheusRule', 'ConfigMap']));
    const rule = objects.find((o) => o.kind === 'PrometheusRule') as any;
    const alerts = (rule.spec.groups as { rules: { alert: string; expr: string }[] }[]).flatMap((g) => g.rules);
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining([
      'ExkeyKeyDegraded', 'ExkeyKeyNotReady', 'ExkeyKeyExpiringSoon', 'ExkeyExchangeDriftDetected', 'ExkeyNoLeader',
    ]));
    const exported = new Set(register.getMetricsAsArray().map((m) => m.name));
    const used = alerts.flatMap((a) => [...a.expr.matchAll(/(?<![a-z_])exkey_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(exported, `${name} is not an exkey metric`).toContain(name);
    const dashboard = objects.find((o) => o.kind === 'ConfigMap') as any;
    const exprs = JSON.stringify(JSON.parse(dashboard.data['exkey.json']));
    for (const [name] of exprs.matchAll(/(?<![a-z_])exkey_[a-z_]+/g)) expect(exported).toContain(name.replace(/_(bucket|sum|count)$/, ''));
  });

  it.each([
    { name: 'an unknown key', set: ['replica=2'] },
    { name: 'namespaces mode without namespaces', set: ['watch.mode=namespaces'] },
    { name: 'several replicas without leader election', set: ['leaderElection.enabled=false'] },
    { name: 'a bad pull policy', set: ['image.pullPolicy=Sometimes'] },
    { name: 'Vault without authentication', set: ['vault.address=https://vault:8200'] },
  ])('should refuse $name', ({ set }) => {
    expect(() => helmTemplate(helm, { namespace: 'exkey-system', set })).toThrow();
  });

  it('should keep deploy/ and the chart\'s CRD copies in sync (render-deploy --check)', () => {
    const result = run(process.execPath, ['scripts/render-deploy.ts', '--check']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('server-side dry run of the rendered chart', () => {
  it.each(VALUE_SETS)('should be accepted by the API server with $name', async ({ files }) => {
    const release = await namespace('exkey-rel');
    const watched = await namespace('exkey-watched');
    const objects = manifests(helmTemplate(helm, {
      namespace: release, valuesFiles: files, includeCrds: true, set: files.includes(CI_VALUES.namespaced) ? [`watch.namespaces={${watched}}`] : [],
    })).filter((o) => !MONITORING_KINDS.has(o.kind));
    // The CRDs come first, as `helm install` applies them.
    expect(objects[0]?.kind).toBe('CustomResourceDefinition');
    const out = kubectl(admin, ['apply', '--server-side', '--force-conflicts', '--dry-run=server', '--field-manager=exkey-chart-test', '-f', '-'], toStream(objects));
    expect(out.trim().split('\n')).toHaveLength(objects.length);
  });
});

describe('the operator under the chart\'s ServiceAccount and RBAC', () => {
  let h: Harness;
  let operatorNamespace: string;
  let op: OperatorProcess | undefined;
  const ELECTION = ['--leader-elect', '--leader-election-id', 'exkey-operator', '--lease-duration-seconds', '3', '--renew-deadline-seconds', '2', '--retry-period-seconds', '0.25'];

  // The local key ring lives in the operator's namespace, not the watched one.
  async function material(name: string): Promise<KeyMaterial> {
    const secret = await h.getSecret(name);
    if (!secret) throw new Error(`Secret ${name} not found`);
    const encryption = operatorEncryption({ loadRing: () => loadOrCreateKeyRing(h.kube, operatorNamespace), clock: systemClock });
    return decodeMaterial(secret, { namespace: h.namespace, name, version: Number(secret.metadata?.annotations?.['exkey.io/key-version']) }, encryption);
  }

  beforeAll(async () => {
    h = await startHarness({ inProcessOperator: false });
    operatorNamespace = await namespace('exkey-op');
    const rbac = helmTemplate(helm, {
      namespace: operatorNamespace,
      valuesFiles: [CI_VALUES.namespaced],
      set: [`watch.namespaces={${h.namespace}}`],
      showOnly: ['templates/serviceaccount.yaml', 'templates/rbac.yaml'],
    });
    expect(kinds(manifests(rbac)).sort()).toEqual(['Role', 'Role', 'RoleBinding', 'RoleBinding', 'ServiceAccount']);
    kubectl(admin, ['apply', '--server-side', '--field-manager=exkey-chart-test', '-f', '-'], rbac);
  }, 120_000);

  afterAll(async () => {
    await op?.kill();
    await h.stop();
  });

  it('should hold a token with the chart\'s permissions and no more', () => {
    const sa = serviceAccountKubeconfig(admin, operatorNamespace, 'exkey');
    const can = (args: string[]): string => run('/usr/bin/kubectl', ['--kubeconfig', sa, 'auth', 'can-i', ...args]).stdout.trim();
    expect(can(['list', 'exchangekeys.exkey.io', '-n', h.namespace])).toBe('yes');
    expect(can(['create', 'leases.coordination.k8s.io', '-n', operatorNamespace])).toBe('yes');
    expect(can(['list', 'secrets', '--all-namespaces'])).toBe('no');
    expect(can(['list', 'secrets', '-n', operatorNamespace])).toBe('no');
    expect(can(['update', 'exchangekeys.exkey.io', '-n', h.namespace])).toBe('no');
    expect(can(['create', 'namespaces'])).toBe('no');
  });

  it('should issue, rotate and revoke a Bybit key with leader election, with no request refused', async () => {
    const sa = serviceAccountKubeconfig(admin, operatorNamespace, 'exkey');
    op = await startOperatorProcess(sa, h.namespace, { POD_NAME: 'exkey-rbac-0' }, { args: ['--namespace', operatorNamespace, ...ELECTION] });
    const lease = await h.kube.send<{ spec?: { holderIdentity?: string } }>({
      method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${operatorNamespace}/leases/exkey-operator`,
    });
    expect(lease.spec?.holderIdentity).toMatch(/^exkey-rbac-0_/);

    await h.createPolicy('rbac', { interval: '30d', overlap: '1s', rollout: { progressDeadline: '1m' } });
    await h.createDeployment('rbac-app', { replicas: 1 });
    await h.createKey('rbac', { rotationPolicyRef: { name: 'rbac' }, dependents: [{ kind: 'Deployment', name: 'rbac-app' }] });
    await h.waitForCondition('rbac', { type: 'Ready', status: 'True' }, 60_000);
    const v1 = await material('rbac');
    expect(v1.version).toBe(1);
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(false);
    expect((await h.events('rbac')).map((e) => e.reason)).toContain('Issued');
    await waitFor(async () => {
      const policy = await h.kube.send<{ status?: unknown }>({ method: 'GET', path: objectPath(ROTATION_POLICIES, h.namespace, 'rbac') });
      return policy.status !== undefined;
    }, { description: 'RotationPolicy status written' });

    await h.annotate('rbac', { 'exkey.io/rotate': 'rbac-test' });
    const rotated = await h.waitForVersion('rbac', 2, 90_000);
    expect(rotated.status?.keys?.map((k) => [k.version, k.state])).toEqual([[1, 'Revoked'], [2, 'Active']]);
    const v2 = await material('rbac');
    expect(h.sim.state.getKey(v1.apiKey)?.deleted).toBe(true);
    expect((await h.pods('rbac-app')).length).toBeGreaterThan(0);

    await h.kube.send({ method: 'DELETE', path: objectPath(EXCHANGE_KEYS, h.namespace, 'rbac') });
    await waitFor(async () => (await h.getKey('rbac')) === undefined, { description: 'rbac deleted', timeoutMs: 30_000 });
    expect(h.sim.state.getKey(v2.apiKey)?.deleted).toBe(true);

    await op.stop();
    const output = op.output();
    expect(output).toContain('released the lease');
    expect(output).not.toMatch(/forbidden|\b403\b/i);
  }, 240_000);
});
