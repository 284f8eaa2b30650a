// The local suite's scenarios on a real cluster made by kind, with exkey installed the way users
// install it: the image built from the Dockerfile, loaded into kind, installed by the Helm chart
// (two replicas, leader election, the chart's RBAC). A Bybit simulator runs in the cluster from
// the same image. Scenarios: issue a key, rotate it with a dependent Deployment, emergency revoke.
// Without Docker (a running daemon) or kind on the PATH, the suite is skipped and says why.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmBinary } from '../../scripts/render-deploy.ts';
import { waitFor } from '../support/kube.ts';

const ROOT = join(import.meta.dirname, '../..');
const IMAGE = 'exkey:e2e';
const NS = 'trading';
const MASTER = { apiKey: 'E2EMASTERKEY000001', apiSecret: 'e2e-master-secret-0123456789abcdef' };

function missing(): string | undefined {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return 'Docker is not available (`docker info` failed)';
  if (spawnSync('kind', ['version'], { stdio: 'ignore' }).status !== 0) return 'kind is not on the PATH (https://kind.sigs.k8s.io)';
  return undefined;
}

const skipReason = missing();
if (skipReason) console.warn(`[e2e] skipping the kind suite: ${skipReason}`);

let cluster = '';
let dir = '';
let kubeconfig = '';

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'inherit'] });
}

function kubectl(args: string[], input?: string): string {
  return sh('kubectl', ['--kubeconfig', kubeconfig, ...args], input);
}

function jsonpath(kind: string, name: string, path: string): string {
  return kubectl(['get', kind, name, '-n', NS, '-o', `jsonpath=${path}`]);
}

const manifests = (endpoint: string): string => `
apiVersion: v1
kind: Secret
metadata: { name: bybit-master, namespace: ${NS} }
stringData: { apiKey: ${MASTER.apiKey}, apiSecret: ${MASTER.apiSecret} }
---
apiVersion: exkey.io/v1alpha1
kind: RotationPolicy
metadata: { name: quick, namespace: ${NS} }
spec: { interval: 30d, overlap: 5s, rollout: { progressDeadline: 3m } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: trader, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: trader } }
  template:
    metadata: { labels: { app: trader } }
    spec:
      containers:
        - name: trader
          image: ${IMAGE}
          imagePullPolicy: Never
          command: [node, -e, "setInterval(() => {}, 1 << 30)"]
          volumeMounts: [{ name: key, mountPath: /var/run/exkey, readOnly: true }]
      volumes: [{ name: key, secret: { secretName: mm } }]
---
apiVersion: exkey.io/v1alpha1
kind: ExchangeKey
metadata: { name: mm, namespace: ${NS} }
spec:
  exchange: bybit
  endpoint: ${endpoint}
  account: "1001"
  masterCredentialsRef: { name: bybit-master }
  permissions: [read, trade]
  rotationPolicyRef: { name: quick }
  dependents: [{ kind: Deployment, name: trader }]
`;

const simulator = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: bybit-sim, namespace: ${NS} }
spec:
  selector: { matchLabels: { app: bybit-sim } }
  template:
    metadata: { labels: { app: bybit-sim } }
    spec:
      containers:
        - name: sim
          image: ${IMAGE}
          imagePullPolicy: Never
          args: [simulator, bybit, --host, 0.0.0.0, --port, "8400", --master-key, ${MASTER.apiKey}, --master-secret, ${MASTER.apiSecret}]
          ports: [{ containerPort: 8400 }]
---
apiVersion: v1
kind: Service
metadata: { name: bybit-sim, namespace: ${NS} }
spec: { selector: { app: bybit-sim }, ports: [{ port: 8400 }] }
`;

describe.skipIf(skipReason !== undefined)('exkey on kind, installed by the Helm chart', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exkey-e2e-'));
    cluster = `exkey-e2e-${randomBytes(3).toString('hex')}`;
    kubeconfig = join(dir, 'kubeconfig');
    sh('docker', ['build', '-t', IMAGE, '.']);
    sh('kind', ['create', 'cluster', '--name', cluster, '--kubeconfig', kubeconfig, '--wait', '180s']);
    sh('kind', ['load', 'docker-image', IMAGE, '--name', cluster]);
    const values = join(dir, 'values.yaml');
    writeFileSync(values, [
      'image: { repository: exkey, tag: e2e, pullPolicy: Never }',
      // The simulator answers on 8400 inside the cluster; real venues use 443.
      'networkPolicy: { exchanges: { cidrs: [0.0.0.0/0], ports: [443, 8400] } }',
    ].join('\n'));
    sh(helmBinary(), ['install', 'exkey', 'charts/exkey', '--kubeconfig', kubeconfig, '--namespace', 'exkey-system', '--create-namespace', '--values', values, '--wait', '--timeout', '5m']);
    kubectl(['create', 'namespace', NS]);
    kubectl(['apply', '-f', '-'], simulator);
    kubectl(['rollout', 'status', 'deployment/bybit-sim', '-n', NS, '--timeout', '3m']);
  });

  afterAll(() => {
    if (cluster !== '' && process.env.EXKEY_E2E_KEEP !== '1') spawnSync('kind', ['delete', 'cluster', '--name', cluster], { stdio: 'inherit' });
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('should run two operator replicas with one leader', () => {
    const pods = kubectl(['get', 'pods', '-n', 'exkey-system', '-l', 'app.kubernetes.io/name=exkey', '-o', 'jsonpath={.items[*].status.phase}']);
    expect(pods.split(' ').filter((p) => p === 'Running')).toHaveLength(2);
    expect(kubectl(['get', 'lease', 'exkey-operator', '-n', 'exkey-system', '-o', 'jsonpath={.spec.holderIdentity}'])).not.toBe('');
  });

  it('should issue a key, rotate it with its dependent rolled, and revoke it in an emergency', async () => {
    kubectl(['apply', '-f', '-'], manifests(`http://bybit-sim.${NS}.svc:8400`));
    const version = (): string => jsonpath('exchangekey', 'mm', '{.status.currentVersion}');
    const settled = (v: string) => (): boolean => version() === v && jsonpath('exchangekey', 'mm', '{.status.rotation.phase}') === '';
    await waitFor(settled('1'), { description: 'version 1 issued', timeoutMs: 180_000 });
    expect(jsonpath('exchangekey', 'mm', '{.status.conditions[?(@.type=="Ready")].status}')).toBe('True');
    expect(kubectl(['get', 'secret', 'mm', '-n', NS, '-o', 'jsonpath={.data.envelope}'])).not.toBe('');

    kubectl(['annotate', 'exchangekey', 'mm', '-n', NS, `exkey.io/rotate=${Date.now()}`]);
    await waitFor(settled('2'), { description: 'rotated to version 2', timeoutMs: 300_000 });
    expect(jsonpath('deployment', 'trader', '{.spec.template.metadata.annotations.key-version\\.exkey\\.io/mm}')).toBe('2');
    kubectl(['rollout', 'status', 'deployment/trader', '-n', NS, '--timeout', '3m']);

    kubectl(['annotate', 'exchangekey', 'mm', '-n', NS, `exkey.io/revoke=${Date.now()}`]);
    await waitFor(settled('3'), { description: 'emergency rotation to version 3', timeoutMs: 300_000 });
    const states = jsonpath('exchangekey', 'mm', '{range .status.keys[*]}{.version}={.state} {end}').trim();
    expect(states).toBe('1=Revoked 2=Revoked 3=Active');
  });
});
