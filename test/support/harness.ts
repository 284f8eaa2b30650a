// An operator under test: a fresh namespace on the real control plane, a Bybit simulator, and
// exkey's operator running in-process, watching only that namespace (so test files can run in
// parallel), with every log line captured for secret-leak checks.
import { randomBytes } from 'node:crypto';
import { RestClientV5 } from 'bybit-api';
import { inject } from 'vitest';
import type { CoreV1Event, KubeConfig, V1Pod, V1Secret } from '@kubernetes/client-node';
import { EXCHANGE_KEYS, ROTATION_POLICIES, type ExchangeKey, type ExchangeKeySpec, type RotationPolicySpec } from '../../src/api/v1alpha1/index.ts';
import { loadOrCreateKeyRing } from '../../src/controllers/encryption/local-keyring.ts';
import { operatorEncryption, vaultTransitFactory } from '../../src/controllers/encryption/providers.ts';
import { decodeMaterial, type KeyMaterial } from '../../src/controllers/exchangekey/material.ts';
import { startBybitSimulator, type BybitSimulator } from '../../src/exchanges/bybit/simulator/index.ts';
import { adapterRegistry, type AdapterRegistry } from '../../src/exchanges/registry.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startOperator, type Operator, type OperatorOptions } from '../../src/operator.ts';
import { operatorProcessOutputs } from './operator-process.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import { KubeClient } from '../../src/runtime/kube/client.ts';
import { isNotFound } from '../../src/runtime/kube/errors.ts';
import { SECRETS, collectionPath, objectPath } from '../../src/runtime/kube/paths.ts';
import { createTestNamespace, kubeConfigFromPath, waitFor, type TestNamespace } from './kube.ts';

export interface HarnessOptions {
  /** Create the master-credentials Secret `bybit-master` (default true). */
  masterSecret?: boolean;
  resyncMs?: number;
  rateLimits?: boolean;
  /** Pace calls to the venue's published limits, as the operator does by default (default true). */
  pacing?: boolean;
  /** Extra operator options (encryption providers' settings). */
  operator?: Partial<OperatorOptions>;
  /** Start an in-process operator (default true); crash tests run it as a child process instead. */
  inProcessOperator?: boolean;
  /** Wraps the adapter registry (fault injection around a real adapter). */
  wrapAdapters?: (registry: AdapterRegistry) => AdapterRegistry;
}

/** A condition to wait for: type, status and optionally reason. */
export interface ConditionWant {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
}

/** Everything a lifecycle test drives. */
export interface Harness {
  kc: KubeConfig;
  kube: KubeClient;
  namespace: string;
  sim: BybitSimulator;
  master: { apiKey: string; apiSecret: string };
  /** Every log line the operator wrote. */
  logs: string[];
  operator(): Operator;
  /** Stops the operator (as a crash would not: gracefully). */
  stopOperator(): Promise<void>;
  startOperator(overrides?: { resyncMs?: number; operator?: Partial<OperatorOptions> }): Promise<void>;
  createMasterSecret(): Promise<void>;
  /** Creates an ExchangeKey named `name` for the simulator; `spec` overrides the defaults. */
  createKey(name: string, spec?: Partial<ExchangeKeySpec>): Promise<ExchangeKey>;
  getKey(name: string): Promise<ExchangeKey | undefined>;
  /** Waits until condition `type` has `status` (and `reason`, if given); returns the object. */
  waitForCondition(name: string, want: ConditionWant, timeoutMs?: number): Promise<ExchangeKey>;
  getSecret(name: string): Promise<V1Secret | undefined>;
  /** Opens the published Secret like a consumer would (local provider: the namespace's key ring). */
  readMaterial(secretName: string): Promise<KeyMaterial>;
  events(objectName: string): Promise<CoreV1Event[]>;
  /** Creates a Deployment of `replicas` pods; `neverReady` pods run but never become Ready (kwok stage). */
  createDeployment(name: string, options?: { replicas?: number; neverReady?: boolean }): Promise<void>;
  /** Pods of a Deployment created by createDeployment (terminating ones included). */
  pods(deployment: string): Promise<V1Pod[]>;
  createPolicy(name: string, spec: RotationPolicySpec): Promise<void>;
  /** Merges annotations into an ExchangeKey. */
  annotate(name: string, annotations: Record<string, string>): Promise<void>;
  /** True when the simulator accepts a signed read-only call with this key version. */
  accepts(material: KeyMaterial): Promise<boolean>;
  /** Waits until `name` has no rotation in progress and currentVersion is `version`. */
  waitForVersion(name: string, version: number, timeoutMs?: number): Promise<ExchangeKey>;
  stop(): Promise<void>;
}

/** Starts a harness; call stop() in afterAll. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const kc = kubeConfigFromPath(inject('kubeconfigPath'));
  const kube = new KubeClient(kc);
  const ns: TestNamespace = await createTestNamespace(kc, 'xk');
  const master = { apiKey: `MASTER${randomBytes(6).toString('hex').toUpperCase()}`, apiSecret: randomBytes(18).toString('hex') };
  const sim = await startBybitSimulator({ masterKey: master.apiKey, masterSecret: master.apiSecret, rateLimits: options.rateLimits ?? false });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => { logs.push(line); } } });
  let operator: Operator | undefined;
  const keyPath = (name: string): string => objectPath(EXCHANGE_KEYS, ns.name, name);

  const harness: Harness = {
    kc, kube, namespace: ns.name, sim, master, logs,
    operator: () => {
      if (!operator) throw new Error('operator not running');
      return operator;
    },
    async startOperator(overrides = {}) {
      const registry = adapterRegistry({ clock: systemClock, timeoutMs: 5_000, pacing: options.pacing ?? true });
      operator = await startOperator({
        kubeconfig: kc, namespace: ns.name, watchNamespaces: [ns.name], clock: systemClock, logger,
        resyncMs: overrides.resyncMs ?? options.resyncMs ?? 60_000, concurrency: 4,
        adapters: options.wrapAdapters ? options.wrapAdapters(registry) : registry,
        ...options.operator,
        ...overrides.operator,
      });
    },
    async stopOperator() {
      await operator?.stop();
      operator = undefined;
    },
    async createMasterSecret() {
      await kube.send({
        method: 'POST', path: collectionPath(SECRETS, ns.name),
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bybit-master' }, stringData: master },
      });
    },
    createKey: (name, spec = {}) =>
      kube.send<ExchangeKey>({
        method: 'POST', path: collectionPath(EXCHANGE_KEYS, ns.name),
        body: {
          apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', metadata: { name },
          spec: {
            exchange: 'bybit', endpoint: sim.url, account: '1001', masterCredentialsRef: { name: 'bybit-master' },
            permissions: ['read', 'trade'], ipAllowlist: ['127.0.0.1'], ...spec,
          },
        },
      }),
    getKey: async (name) => {
      try {
        return await kube.send<ExchangeKey>({ method: 'GET', path: keyPath(name) });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    waitForCondition: (name, { type, status, reason }, timeoutMs = 30_000) =>
      waitFor(async (observe) => {
        const key = await harness.getKey(name);
        const condition = key?.status?.conditions?.find((c) => c.type === type);
        observe(key?.status ?? 'no object');
        return condition?.status === status && (reason === undefined || condition.reason === reason) ? key : undefined;
      }, { timeoutMs, description: `${name}: ${type}=${status}${reason ? ` (${reason})` : ''}` }),
    getSecret: async (name) => {
      try {
        return await kube.send<V1Secret>({ method: 'GET', path: objectPath(SECRETS, ns.name, name) });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async readMaterial(secretName) {
      const secret = await harness.getSecret(secretName);
      if (!secret) throw new Error(`Secret ${secretName} not found`);
      const version = Number(secret.metadata?.annotations?.['exkey.io/key-version']);
      const encryption = operatorEncryption({
        loadRing: () => loadOrCreateKeyRing(kube, ns.name), clock: systemClock,
        ...(options.operator?.kms ? { kms: options.operator.kms } : {}),
        ...(options.operator?.vault ? { vault: vaultTransitFactory(options.operator.vault) } : {}),
      });
      return decodeMaterial(secret, { namespace: ns.name, name: secretName, version }, encryption);
    },
    events: async (objectName) => {
      const list = await kube.send<{ items: CoreV1Event[] }>({
        method: 'GET', path: `/api/v1/namespaces/${ns.name}/events`,
        query: { fieldSelector: `involvedObject.name=${objectName}` },
      });
      return list.items;
    },
    async createDeployment(name, { replicas = 3, neverReady = false } = {}) {
      const labels: Record<string, string> = { app: name, ...(neverReady ? { 'exkey.io/test-readiness': 'never' } : {}) };
      await kube.send({
        method: 'POST', path: `/apis/apps/v1/namespaces/${ns.name}/deployments`,
        body: {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
          spec: {
            replicas, selector: { matchLabels: { app: name } },
            template: { metadata: { labels }, spec: { containers: [{ name: 'trader', image: 'trader:1' }] } },
          },
        },
      });
    },
    pods: async (deployment) =>
      (await kube.send<{ items: V1Pod[] }>({ method: 'GET', path: `/api/v1/namespaces/${ns.name}/pods`, query: { labelSelector: `app=${deployment}` } })).items,
    async createPolicy(name, spec) {
      await kube.send({
        method: 'POST', path: collectionPath(ROTATION_POLICIES, ns.name),
        body: { apiVersion: 'exkey.io/v1alpha1', kind: 'RotationPolicy', metadata: { name }, spec },
      });
    },
    async annotate(name, annotations) {
      await kube.send({ method: 'PATCH', path: keyPath(name), patchType: 'merge', body: { metadata: { annotations } } });
    },
    async accepts(m) {
      try {
        return (await new RestClientV5({ key: m.apiKey, secret: m.apiSecret ?? '', baseUrl: sim.url }).getQueryApiKey()).retCode === 0;
      } catch {
        return false;
      }
    },
    waitForVersion: (name, version, timeoutMs = 60_000) =>
      waitFor(async (observe) => {
        const key = await harness.getKey(name);
        observe(key?.status ?? 'no object');
        return key?.status?.currentVersion === version && !key.status.rotation ? key : undefined;
      }, { timeoutMs, description: `${name} at version ${version} with no rotation in progress` }),
    async stop() {
      await operator?.stop();
      // The suite-wide secret scan: no key the simulator issued (nor the master secret) may appear
      // in anything an operator printed during this file, in-process or as a child process.
      const leaked = [...sim.state.issuedSecrets(), master.apiSecret].filter((secret) =>
        [logs.join('\n'), ...operatorProcessOutputs()].some((output) => output.includes(secret)));
      await sim.stop();
      if (leaked.length > 0) {
        await ns.cleanup();
        await kube.close();
        throw new Error(`${leaked.length} exchange secret(s) appeared in operator output (values withheld); search the logs of this test file`);
      }
      await ns.cleanup();
      await kube.close();
    },
  };
  if (options.masterSecret ?? true) await harness.createMasterSecret();
  if (options.inProcessOperator ?? true) await harness.startOperator();
  return harness;
}

/** Strings that must never appear in logs, Events or status for this material. */
export function secretsOf(material: KeyMaterial): string[] {
  return [material.apiSecret, material.passphrase, material.privateKey].filter((s): s is string => Boolean(s));
}
