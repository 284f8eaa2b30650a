// The manifests users copy (config/samples, examples/gitops) are accepted by the API server as
// written: a server-side dry run of every exkey object in them, in a test namespace.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EXCHANGE_KEYS, ROTATION_POLICIES } from '../../src/api/v1alpha1/index.ts';
import { KubeClient } from '../../src/runtime/kube/client.ts';
import { collectionPath } from '../../src/runtime/kube/paths.ts';
import { createTestNamespace, kubeConfigFromPath, type TestNamespace } from '../support/kube.ts';

const ROOT = join(import.meta.dirname, '../..');
const DIRS = ['config/samples', 'examples/gitops/trading'];
const KINDS = { ExchangeKey: EXCHANGE_KEYS, RotationPolicy: ROTATION_POLICIES } as const;

interface Manifest { kind: string; metadata: { name: string; namespace?: string } }

const manifests = DIRS.flatMap((dir) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.yaml')).flatMap((file) =>
  parseAllDocuments(readFileSync(join(ROOT, dir, file), 'utf8')).map((doc) => ({ file: `${dir}/${file}`, object: doc.toJS() as Manifest })),
)).filter((m) => m.object.kind in KINDS);

let kube: KubeClient;
let ns: TestNamespace;

beforeAll(async () => {
  const kc = kubeConfigFromPath(inject('kubeconfigPath'));
  kube = new KubeClient(kc);
  ns = await createTestNamespace(kc, 'examples');
});

afterAll(async () => {
  await ns.cleanup();
  await kube.close();
});

describe('example manifests', () => {
  it('should include every kind of exkey object', () => {
    expect(new Set(manifests.map((m) => m.object.kind))).toEqual(new Set(['ExchangeKey', 'RotationPolicy']));
  });

  it.each(manifests.map((m) => ({ ...m, name: `${m.object.kind}/${m.object.metadata.name}` })))('should accept $name from $file', async ({ object }) => {
    const kind = KINDS[object.kind as keyof typeof KINDS];
    const body = { ...object, metadata: { ...object.metadata, namespace: ns.name } };
    await expect(kube.send({ method: 'POST', path: collectionPath(kind, ns.name), query: { dryRun: 'All' }, body })).resolves.toMatchObject({ kind: object.kind });
  });
});
