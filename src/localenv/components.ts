// The control-plane recipe: the flags each component runs with, and why. Pure functions of the
// binaries, the directory layout and the ports, so they can be read (and tested) in one place.
import type { BinPaths } from './binaries.ts';
import type { ComponentName, Layout, Ports } from './layout.ts';

/** A component's command line, before it is spawned. */
export interface ComponentSpec {
  name: ComponentName;
  bin: string;
  args: string[];
  env?: Record<string, string>;
}

/** Service ClusterIPs (as envtest); the API server's own service gets 10.0.0.1. */
export const serviceClusterIpRange = '10.0.0.0/24';
/** Pod IPs that kwok hands out; disjoint from the service range. */
export const podCidr = '10.244.0.0/16';
/** Annotation that makes kwok manage a Node (and the value we use). */
export const kwokNodeAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

const loopback = '127.0.0.1';

/** etcd: single member on loopback; no fsync, because a test/dev store is disposable. */
export function etcdSpec(bins: BinPaths, layout: Layout, ports: Ports): ComponentSpec {
  const client = `http://${loopback}:${ports.etcdClient}`;
  const peer = `http://${loopback}:${ports.etcdPeer}`;
  return {
    name: 'etcd',
    bin: bins.etcd,
    args: [
      '--name=exkey',
      `--data-dir=${layout.etcdData}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      // The peer port is never used by a single member, but etcd binds one anyway: keep it off 2380.
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=exkey=${peer}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
  };
}

/**
 * kube-apiserver in the style of controller-runtime's envtest, with two differences: clients use
 * bearer tokens (--token-auth-file) instead of a client-cert CA, and the ServiceAccount admission
 * plugin stays on, so pods look like a real cluster's (the controller manager creates the
 * `default` ServiceAccount and the kube-root-ca.crt ConfigMap they reference).
 */
export function apiserverSpec(bins: BinPaths, layout: Layout, ports: Ports): ComponentSpec {
  return {
    name: 'kube-apiserver',
    bin: bins.kubeApiserver,
    args: [
      `--etcd-servers=http://${loopback}:${ports.etcdClient}`,
      `--bind-address=${loopback}`,
      `--secure-port=${ports.apiserver}`,
      // No --tls-cert-file: the server self-signs into --cert-dir; we trust that CA in kubeconfigs.
      `--cert-dir=${layout.certDir('kube-apiserver')}`,
      // Loopback advertise address: nothing depends on the host's network interfaces. It is not a
      // valid Endpoints IP, so the `kubernetes` Service's endpoints are not reconciled (no
      // in-cluster client exists here to use them).
      `--advertise-address=${loopback}`,
      '--endpoint-reconciler-type=none',
      `--service-cluster-ip-range=${serviceClusterIpRange}`,
      '--allow-privileged=true',
      '--authorization-mode=RBAC',
      `--token-auth-file=${layout.tokenFile}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${layout.saPublicKey}`,
      `--service-account-signing-key-file=${layout.saPrivateKey}`,
      // Keep shutdown quick: nothing here needs connection draining.
      '--shutdown-delay-duration=0s',
    ],
  };
}

/** Flags shared by the controller manager and the scheduler: identity, serving, no leader election. */
function componentCommon(layout: Layout, name: 'kube-controller-manager' | 'kube-scheduler', port: number): string[] {
  const kubeconfig = layout.componentKubeconfig(name);
  return [
    `--kubeconfig=${kubeconfig}`,
    // Delegated authn/authz (TokenReview, SubjectAccessReview) for their own /metrics; /healthz
    // is always allowed. Skip the lookup of client-CA config: there is no client CA here, so the
    // extension-apiserver-authentication ConfigMap never exists and the lookup only logs errors.
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--authentication-skip-lookup=true',
    // A single instance: leader election would only add a Lease round-trip and delay start-up.
    '--leader-elect=false',
    `--bind-address=${loopback}`,
    // Free ports rather than 10257/10259, so several environments can run side by side.
    `--secure-port=${port}`,
    // Written to disk so health probes can verify the self-signed cert's CA.
    `--cert-dir=${layout.certDir(name)}`,
  ];
}

/**
 * kube-controller-manager: Deployments -> ReplicaSets -> Pods, ServiceAccounts, node lifecycle.
 * Without --use-service-account-credentials (see newIdentities): start-up drops from ~9 s to ~3 s.
 */
export function controllerManagerSpec(bins: BinPaths, layout: Layout, ports: Ports): ComponentSpec {
  return {
    name: 'kube-controller-manager',
    bin: bins.kubeControllerManager,
    args: [
      ...componentCommon(layout, 'kube-controller-manager', ports.controllerManager),
      // Signs legacy service-account token Secrets; same key the API server verifies with.
      `--service-account-private-key-file=${layout.saPrivateKey}`,
      // Published as kube-root-ca.crt in every namespace.
      `--root-ca-file=${layout.apiserverCa}`,
      `--service-cluster-ip-range=${serviceClusterIpRange}`,
    ],
  };
}

/** kube-scheduler: binds pods to the fake nodes (kwok only acts on scheduled pods). */
export function schedulerSpec(bins: BinPaths, layout: Layout, ports: Ports): ComponentSpec {
  return {
    name: 'kube-scheduler',
    bin: bins.kubeScheduler,
    args: componentCommon(layout, 'kube-scheduler', ports.scheduler),
  };
}

/** kwok: plays node and pod lifecycles (Stages) for Nodes annotated kwok.x-k8s.io/node=fake. */
export function kwokSpec(bins: BinPaths, layout: Layout, stageFiles: string[]): ComponentSpec {
  return {
    name: 'kwok',
    bin: bins.kwok,
    args: [
      `--kubeconfig=${layout.componentKubeconfig('kwok')}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation.key}=${kwokNodeAnnotation.value}`,
      ...stageFiles.map((file) => `--config=${file}`),
      // The heartbeat stage only rewrites node status every ~10 minutes; node health comes from
      // the Lease kwok renews. Without this flag (0 = no leases) the node lifecycle controller
      // marks the nodes NotReady after its grace period and evicts their pods.
      '--node-lease-duration-seconds=40',
      `--cidr=${podCidr}`,
    ],
    env: { HOME: layout.kwokHome },
  };
}
