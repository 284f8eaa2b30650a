// Credentials of the local control plane. No client-certificate CA is needed: clients authenticate
// with bearer tokens from a token file, and the servers' self-signed serving certs (written by each
// component into its --cert-dir) carry their own CA, which clients then trust explicitly.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** A client identity the API server knows from its --token-auth-file. */
export interface TokenIdentity {
  user: string;
  token: string;
  groups: string[];
}

/** The identities every local control plane has, one per client component plus the admin. */
export interface Identities {
  admin: TokenIdentity;
  controllerManager: TokenIdentity;
  scheduler: TokenIdentity;
  kwok: TokenIdentity;
}

function identity(user: string, groups: string[]): TokenIdentity {
  return { user, token: randomBytes(24).toString('hex'), groups };
}

/**
 * Fresh random tokens. The scheduler runs as system:kube-scheduler, which bootstrap RBAC already
 * binds to its real, narrow role. The controller manager and kwok get system:masters (as kwokctl
 * does): the controller manager's own role only suffices with --use-service-account-credentials,
 * which costs ~5 s at start (one ServiceAccount and token per controller, created in turn).
 */
export function newIdentities(): Identities {
  return {
    admin: identity('exkey-admin', ['system:masters']),
    controllerManager: identity('system:kube-controller-manager', ['system:masters']),
    scheduler: identity('system:kube-scheduler', []),
    kwok: identity('kwok-controller', ['system:masters']),
  };
}

/** The --token-auth-file content: `token,user,uid,"group1,group2"` per line. */
export function tokenFile(ids: Identities): string {
  const all: TokenIdentity[] = [ids.admin, ids.controllerManager, ids.scheduler, ids.kwok];
  return all
    .map((id) => `${id.token},${id.user},${id.user},"${id.groups.join(',')}"`)
    .join('\n') + '\n';
}

/** A PEM RSA key pair for signing and verifying service-account tokens. */
export function serviceAccountKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

/**
 * The CA of a self-signed serving cert written by a Kubernetes component (client-go's
 * GenerateSelfSignedCertKey writes the serving cert followed by its CA). Throws unless the CA
 * really issued the serving cert and the cert is valid for `ip`, so a kubeconfig built from it
 * verifies TLS rather than skipping it.
 */
export function caFromSelfSignedCert(certPath: string, ip = '127.0.0.1'): string {
  const blocks = pemBlocks(readFileSync(certPath, 'utf8'));
  const [leafPem, caPem] = blocks;
  if (blocks.length !== 2 || leafPem === undefined || caPem === undefined) {
    throw new Error(`${certPath}: expected a serving cert followed by its CA, found ${blocks.length} certificates`);
  }
  const leaf = new X509Certificate(leafPem);
  const ca = new X509Certificate(caPem);
  if (!ca.ca || !leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
    throw new Error(`${certPath}: the second certificate did not issue the first`);
  }
  if (leaf.checkIP(ip) === undefined) throw new Error(`${certPath}: serving cert is not valid for ${ip}`);
  return caPem.endsWith('\n') ? caPem : `${caPem}\n`;
}

/** A single-context kubeconfig that verifies the server with `caPem` and sends a bearer token. */
export function kubeconfigYaml(server: string, caPem: string, id: TokenIdentity): string {
  const name = 'exkey-local';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: id.user, user: { token: id.token } }],
    contexts: [{ name, context: { cluster: name, user: id.user } }],
    'current-context': name,
    preferences: {},
  });
}
