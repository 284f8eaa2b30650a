// Bad manifests are refused by the API server at apply time (schema and CEL), with a message that
// names the offending field, before exkey ever sees them. Also checks that `kubectl explain`
// has a description for every field, since the schema is the reference documentation.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parse } from 'yaml';
import { EXCHANGE_KEYS, ROTATION_POLICIES } from '../../src/api/v1alpha1/index.ts';
import { KubeClient } from '../../src/runtime/kube/client.ts';
import { KubeApiError } from '../../src/runtime/kube/errors.ts';
import { collectionPath, objectPath } from '../../src/runtime/kube/paths.ts';
import { createTestNamespace, kubeConfigFromPath, type TestNamespace } from '../support/kube.ts';

let kube: KubeClient;
let ns: TestNamespace;

beforeAll(async () => {
  const kc = kubeConfigFromPath(inject('kubeconfigPath'));
  kube = new KubeClient(kc);
  ns = await createTestNamespace(kc, 'crd');
});

afterAll(async () => {
  await ns.cleanup();
  await kube.close();
});

const validSpec = {
  exchange: 'bybit', account: '1001', masterCredentialsRef: { name: 'm' }, permissions: ['read', 'trade'], ipAllowlist: ['10.0.0.1'],
};

async function createKey(name: string, spec: Record<string, unknown>): Promise<unknown> {
  return kube.send({
    method: 'POST',
    path: collectionPath(EXCHANGE_KEYS, ns.name),
    body: { apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name }, spec },
  });
}

async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 422) return err.message;
    throw err;
  }
  throw new Error('the API server accepted an invalid object');
}

describe('ExchangeKey admission', () => {
  it.each([
    { name: 'withdraw without allowWithdraw', spec: { ...validSpec, permissions: ['read', 'withdraw'] }, field: 'spec.permissions', says: 'allowWithdraw' },
    { name: 'transfer without allowWithdraw', spec: { ...validSpec, permissions: ['transfer'] }, field: 'spec.permissions', says: 'allowWithdraw' },
    { name: 'an allowlist entry that is not an IP or CIDR', spec: { ...validSpec, ipAllowlist: ['10.0.0.1', 'office'] }, field: 'spec.ipAllowlist[1]', says: 'IP address or a CIDR' },
    { name: 'an unknown permission', spec: { ...validSpec, permissions: ['fly'] }, field: 'spec.permissions[0]', says: 'Unsupported value' },
    { name: 'a sub-account venue without account', spec: { ...validSpec, account: undefined }, field: 'spec.account', says: 'sub-account' },
    { name: 'no master credentials for a managed venue', spec: { ...validSpec, masterCredentialsRef: undefined }, field: 'spec.masterCredentialsRef', says: 'required' },
    { name: 'an endpoint that is not an http(s) URL', spec: { ...validSpec, endpoint: 'ftp://x' }, field: 'spec.endpoint', says: 'http or https' },
    { name: 'a bad Secret name', spec: { ...validSpec, secret: { name: 'Not_A_Name' } }, field: 'spec.secret.name', says: 'should match' },
    { name: 'an unknown encryption provider', spec: { ...validSpec, secret: { encryption: { provider: 'rot13' } } }, field: 'spec.secret.encryption.provider', says: 'Unsupported value' },
    { name: 'an unknown key type', spec: { ...validSpec, keyType: 'dsa' }, field: 'spec.keyType', says: 'Unsupported value' },
  ])('should refuse $name, naming $field', async ({ spec, field, says }) => {
    const message = await refusal(createKey(`bad-${Math.random().toString(36).slice(2, 8)}`, spec));
    expect(message).toContain(field);
    expect(message).toContain(says);
  });

  it('should accept withdraw when allowWithdraw is true, and apply defaults', async () => {
    const created = (await createKey('allowed', { ...validSpec, permissions: ['read', 'withdraw'], allowWithdraw: true })) as {
      spec: Record<string, unknown>;
    };
    expect(created.spec).toMatchObject({ keyType: 'hmac', deletionPolicy: 'Revoke', allowWithdraw: true });
  });

  it('should refuse changing the exchange or the account of an existing key', async () => {
    await createKey('fixed', validSpec);
    for (const [field, value] of [['exchange', 'okx'], ['account', '2002']] as const) {
      const message = await refusal(kube.send({
        method: 'PATCH', path: objectPath(EXCHANGE_KEYS, ns.name, 'fixed'), patchType: 'merge', body: { spec: { [field]: value } },
      }));
      expect(message).toContain(`spec.${field}`);
      expect(message).toContain('immutable');
    }
  });
});

describe('RotationPolicy admission', () => {
  it.each([
    { name: 'both interval and schedule', spec: { interval: '30d', schedule: { cron: '0 6 * * 1' } }, says: 'exactly one of interval or schedule' },
    { name: 'neither interval nor schedule', spec: { overlap: '10m' }, says: 'exactly one of interval or schedule' },
    { name: 'a malformed duration', spec: { interval: '30 days' }, says: 'spec.interval' },
    { name: 'a malformed window start', spec: { interval: '30d', blackouts: [{ start: '25:00', duration: '1h' }] }, says: 'spec.blackouts[0].start' },
  ])('should refuse $name', async ({ spec, says }) => {
    const message = await refusal(kube.send({
      method: 'POST', path: collectionPath(ROTATION_POLICIES, ns.name),
      body: { apiVersion: 'exkey.io/v1alpha1', kind: 'RotationPolicy', metadata: { name: `p-${Math.random().toString(36).slice(2, 8)}` }, spec },
    }));
    expect(message).toContain(says);
  });
});

describe('schema as documentation', () => {
  it('should have a description on every field of both CRDs', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string): void => {
      if (path !== '' && path !== '.metadata' && typeof node.description !== 'string') missing.push(path);
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(child, `${path}.${name}`);
      if (node.items && typeof node.items === 'object') walk(node.items as Record<string, unknown>, `${path}[]`);
    };
    for (const file of ['crds/exkey.io_exchangekeys.yaml', 'crds/exkey.io_rotationpolicies.yaml']) {
      const crd = parse(readFileSync(file, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
      const schema = crd.spec.versions[0]?.schema.openAPIV3Schema ?? {};
      walk(schema, '');
    }
    expect(missing).toEqual([]);
  });

  it('should answer kubectl explain from the served schema', () => {
    let out: string;
    try {
      out = execFileSync('kubectl', ['--kubeconfig', inject('kubeconfigPath'), 'explain', 'xk.spec.ipAllowlist'], { encoding: 'utf8' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // kubectl not installed: the walk above still covers it
      throw err;
    }
    expect(out).toContain('IP addresses or CIDR ranges');
  });
});
