// Where everything of one local control plane lives inside its directory. One function, so the
// starter, the state file and `exkey env` agree on every path.
import { join } from 'node:path';

/** Component names, in start order (stop goes in reverse). */
export const componentNames = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;

/** One of the five processes of a local control plane. */
export type ComponentName = (typeof componentNames)[number];

/** Loopback ports chosen at start. */
export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

/** Paths inside a control-plane directory. */
export interface Layout {
  dir: string;
  etcdData: string;
  pki: string;
  tokenFile: string;
  saPrivateKey: string;
  saPublicKey: string;
  /** CA of the API server's self-signed serving cert, extracted for clients. */
  apiserverCa: string;
  /** The admin kubeconfig handed to users and tests. */
  kubeconfig: string;
  componentKubeconfig: (name: 'kube-controller-manager' | 'kube-scheduler' | 'kwok') => string;
  certDir: (name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler') => string;
  log: (name: ComponentName) => string;
  /** HOME for kwok, so a developer's ~/.kwok/kwok.yaml cannot leak into the environment. */
  kwokHome: string;
  state: string;
}

/** The layout of a control plane rooted at `dir` (absolute). */
export function layoutOf(dir: string): Layout {
  const pki = join(dir, 'pki');
  return {
    dir,
    etcdData: join(dir, 'etcd'),
    pki,
    tokenFile: join(pki, 'tokens.csv'),
    saPrivateKey: join(pki, 'service-account.key'),
    saPublicKey: join(pki, 'service-account.pub'),
    apiserverCa: join(pki, 'apiserver-ca.crt'),
    kubeconfig: join(dir, 'kubeconfig'),
    componentKubeconfig: (name) => join(dir, 'kubeconfigs', `${name}.kubeconfig`),
    certDir: (name) => join(pki, name),
    log: (name) => join(dir, 'logs', `${name}.log`),
    kwokHome: join(dir, 'kwok-home'),
    state: join(dir, 'state.json'),
  };
}
