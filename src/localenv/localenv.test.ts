// Unit tests for the pure parts of the local environment (the running control plane is covered by
// test/integration/localenv.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { binPathsUnder, resolveVersions } from './binaries.ts';
import { apiserverSpec, kwokSpec } from './components.ts';
import { layoutOf } from './layout.ts';
import { readManifests } from './manifests.ts';
import { kubeconfigYaml, newIdentities, tokenFile } from './pki.ts';
import { exkeyStagesDir, stageFiles, testReadinessLabel } from './stages.ts';
import { waitUntil } from './wait.ts';

const tmp = mkdtempSync(join(tmpdir(), 'exkey-localenv-unit-'));
afterAll(() => { rmSync(tmp, { recursive: true, force: true }); });

const bins = binPathsUnder('/cache/bin', { kubernetes: '1.36.3', etcd: '3.6.16', kwok: '0.8.0', recipe: '2' });
const ports = { etcdClient: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5 };

describe('binaries', () => {
  it('should read default versions from the build script when no override is set', () => {
    const v = resolveVersions({});
    expect(v.kubernetes).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.etcd).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.kwok).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('should prefer EXKEY_*_VERSION when set', () => {
    expect(resolveVersions({ EXKEY_K8S_VERSION: '1.35.0' }).kubernetes).toBe('1.35.0');
  });

  it('should lay binaries out as <name>-<version>/<binary>', () => {
    expect(bins.kubeApiserver).toBe('/cache/bin/kubernetes-1.36.3-r2/kube-apiserver');
    expect(bins.kwokStagesDir).toBe('/cache/bin/kwok-0.8.0/stages');
  });
});

describe('recipe', () => {
  const layout = layoutOf('/env');

  it('should keep the API server on loopback with token auth and RBAC', () => {
    const args = apiserverSpec(bins, layout, ports).args;
    expect(args).toEqual(expect.arrayContaining([
      '--bind-address=127.0.0.1', '--secure-port=3', '--authorization-mode=RBAC', '--token-auth-file=/env/pki/tokens.csv',
    ]));
    expect(args.some((a) => a.startsWith('--tls-cert-file'))).toBe(false);
  });

  it('should make kwok manage only annotated nodes and renew their leases', () => {
    const spec = kwokSpec(bins, layout, ['/s/a.yaml', '/s/b.yaml']);
    expect(spec.args).toEqual(expect.arrayContaining([
      '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--config=/s/a.yaml', '--config=/s/b.yaml', '--node-lease-duration-seconds=40',
    ]));
    expect(spec.env).toEqual({ HOME: '/env/kwok-home' });
  });
});

describe('credentials', () => {
  it('should write one token line per identity with the admin in system:masters', () => {
    const ids = newIdentities();
    const lines = tokenFile(ids).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines).toContain(`${ids.admin.token},exkey-admin,exkey-admin,"system:masters"`);
    expect(new Set(lines.map((l) => l.split(',')[0])).size).toBe(4);
  });

  it('should build a kubeconfig that verifies TLS with the given CA', () => {
    const id = newIdentities().admin;
    const kc = parse(kubeconfigYaml('https://127.0.0.1:6443', 'CA PEM\n', id));
    expect(kc.clusters[0].cluster).toEqual({
      server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA PEM\n').toString('base64'),
    });
    expect(kc.users[0].user).toEqual({ token: id.token });
  });
});

describe('readManifests', () => {
  it('should return every non-empty document in file order', () => {
    const file = join(tmp, 'm.yaml');
    writeFileSync(file, '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
    expect(readManifests([file]).map((o) => o.metadata?.name)).toEqual(['a', 'b']);
  });

  it('should refuse a document without a name', () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\n');
    expect(() => readManifests([file])).toThrow(/metadata.name/);
  });
});

describe('waitUntil', () => {
  it('should name the condition and the last observation when it times out', async () => {
    await expect(waitUntil(() => Promise.resolve(undefined), { timeoutMs: 30, intervalMs: 5, description: 'the thing' }, () => 'still 2/3'))
      .rejects.toThrow('waiting for the thing; last: still 2/3');
  });

  it('should stop at once when abortIf reports a reason', async () => {
    await expect(waitUntil(() => Promise.resolve(undefined), { timeoutMs: 10_000, description: 'x', abortIf: () => 'etcd exited' }))
      .rejects.toThrow('while waiting for x: etcd exited');
  });
});

describe('kwok stages', () => {
  const cached = join(tmp, 'kwok-stages');
  mkdirSync(cached);
  for (const f of ['node-initialize.yaml', 'pod-delete.yaml', 'pod-ready.yaml', 'README.md']) writeFileSync(join(cached, f), '');

  it("should replace kwok's pod-ready stage with exkey's and add the never-ready stage", () => {
    expect(stageFiles(cached)).toEqual([
      join(cached, 'node-initialize.yaml'), join(cached, 'pod-delete.yaml'),
      join(exkeyStagesDir, 'pod-never-ready.yaml'), join(exkeyStagesDir, 'pod-ready.yaml'),
    ]);
  });

  // The two stages must split Pending pods between them by the label: a pod both matched would get
  // a random one of them, a pod neither matched would stay Pending.
  it('should hand pods labelled exkey.io/test-readiness=never to the never-ready stage only', () => {
    const label = `.metadata.labels["${testReadinessLabel.key}"]`;
    type Expression = { key: string; operator: string; values?: string[] };
    const selectorOf = (file: string): Expression[] =>
      (parse(readFileSync(join(exkeyStagesDir, file), 'utf8')) as { spec: { selector: { matchExpressions: Expression[] } } }).spec.selector.matchExpressions;
    expect(selectorOf('pod-ready.yaml')).toContainEqual({ key: label, operator: 'NotIn', values: [testReadinessLabel.never] });
    expect(selectorOf('pod-never-ready.yaml')).toContainEqual({ key: label, operator: 'In', values: [testReadinessLabel.never] });
    const never = parse(readFileSync(join(exkeyStagesDir, 'pod-never-ready.yaml'), 'utf8'));
    expect(never.metadata.name).not.toBe('pod-ready');
    expect(never.spec.next.statusTemplate).toMatch(/phase: Running/);
    expect(never.spec.next.statusTemplate).toMatch(/ready: false/);
  });
});
