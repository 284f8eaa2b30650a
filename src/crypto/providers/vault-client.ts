// A small typed Vault HTTP client for the vault-transit provider and the KV mirror: one method,
// request(method, path, body), over node-vault's transport, plus the operator's authentication
// (a static token, a token file kept fresh by something else such as Vault Agent, or Kubernetes
// auth with the pod's service-account JWT, renewed before its TTL runs out).
//
// Errors are VaultRequestError: `status` is the HTTP status, or undefined when Vault could not be
// reached. They never carry the token, the request body or the transport's error object (axios
// errors hold the request headers, X-Vault-Token included), and Vault's error strings are passed
// through redactVaultText before they reach a message.
import { readFile } from 'node:fs/promises';
import NodeVault from 'node-vault';
import type { Clock } from '../../runtime/clock.ts';

/** HTTP methods exkey uses against Vault. */
export type VaultMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A Vault response body (JSON object; `{}` for 204 No Content). */
export type VaultBody = Readonly<Record<string, unknown>>;

/** The one operation exkey needs from Vault. `path` has no leading slash and no /v1: `transit/keys/exkey`. */
export interface VaultClient {
  /** Base address, e.g. https://vault.example:8200 (for messages). */
  readonly address: string;
  request(method: VaultMethod, path: string, body?: Readonly<Record<string, unknown>>): Promise<VaultBody>;
}

/** A failed Vault call: an HTTP error status, or no response at all (`status` undefined). */
export class VaultRequestError extends Error {
  /** HTTP status; undefined when Vault was unreachable (connection refused, timeout, TLS, DNS). */
  readonly status: number | undefined;
  /** Vault's `errors` array, redacted; for unreachable Vault, the transport's error code. */
  readonly errors: readonly string[];
  readonly method: VaultMethod;
  readonly path: string;

  constructor(init: { method: VaultMethod; path: string; status: number | undefined; errors: readonly string[] }) {
    const what = init.status === undefined ? 'no response' : `HTTP ${init.status}`;
    const detail = init.errors.length > 0 ? `: ${init.errors.join('; ')}` : '';
    super(`Vault ${init.method} ${init.path} failed (${what})${detail}`);
    this.name = 'VaultRequestError';
    this.status = init.status;
    this.errors = init.errors;
    this.method = init.method;
    this.path = init.path;
  }
}

/** One raw call; `token` is sent as X-Vault-Token when set. Throws VaultRequestError. */
export type VaultTransport = (call: {
  method: VaultMethod;
  path: string;
  body?: Readonly<Record<string, unknown>>;
  token?: string;
}) => Promise<VaultBody>;

/** How the operator authenticates to Vault. */
export type VaultAuth =
  | { readonly method: 'token'; readonly token: string }
  /** A token file kept up to date by someone else (Vault Agent, a CSI driver); re-read on 403. */
  | { readonly method: 'token-file'; readonly path: string }
  | {
      readonly method: 'kubernetes';
      /** Vault role of auth/<mount>/role/<role>. */
      readonly role: string;
      /** Auth mount path; default `kubernetes`. */
      readonly mount?: string;
      /** The service-account JWT file; default the projected token every pod has. */
      readonly jwtPath?: string;
    };

export interface VaultClientConfig {
  /** Vault address (VAULT_ADDR), e.g. https://vault.vault.svc:8200. */
  readonly address: string;
  readonly auth: VaultAuth;
  readonly clock: Clock;
  /** Vault Enterprise namespace (VAULT_NAMESPACE). */
  readonly namespace?: string;
  /** PEM CA bundle for Vault's TLS certificate (contents of VAULT_CACERT). */
  readonly caCert?: string;
  /** Per-request timeout; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Test seam: replaces the node-vault transport. */
  readonly transport?: VaultTransport;
  /** Test seam: reads token and JWT files. */
  readonly readFile?: (path: string) => Promise<string>;
}

/** Default path of the pod's service-account token. */
export const SERVICE_ACCOUNT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const DEFAULT_TIMEOUT_MS = 10_000;
/** A Kubernetes-auth token is replaced after this fraction of its TTL... */
const RENEW_FRACTION = 0.75;
/** ...and at least this long before it expires. */
const RENEW_MARGIN_MS = 10_000;
/** After a 403, log in again only if the token is older than this (a real denial must not hammer login). */
const RELOGIN_AFTER_403_MS = 5_000;

const MAX_ERROR_CHARS = 300;

/**
 * Vault's error text with anything that could be key material removed: transit ciphertexts
 * (`vault:v1:...`) and long base64 or hex runs. Vault does not echo secrets in errors today; this
 * keeps it that way whatever a future version or a proxy in front of it returns.
 */
export function redactVaultText(text: string): string {
  const cleaned = text
    .replace(/vault:v\d+:[A-Za-z0-9+/=_-]*/g, 'vault:v?:<redacted>')
    .replace(/[0-9a-fA-F]{32,}/g, '<redacted>')
    // Random base64 of this length has upper and lower case letters and digits; paths do not.
    .replace(/[A-Za-z0-9+/_-]{20,}={0,2}/g, (run) => (/[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run) ? '<redacted>' : run));
  return cleaned.length > MAX_ERROR_CHARS ? `${cleaned.slice(0, MAX_ERROR_CHARS)}...` : cleaned;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Vault wraps some errors as "1 error occurred:\n\t* permission denied\n\n": keep the items only.
function flatten(text: string): string {
  const items = /^\d+ errors? occurred:\s*\n([\s\S]*)$/.exec(text)?.[1];
  const joined = items === undefined ? text : items.split(/\n\s*\*\s*/).map((item) => item.replace(/^\s*\*\s*/, '').trim()).filter((item) => item !== '').join('; ');
  return joined.replace(/\s+/g, ' ').trim();
}

function vaultErrors(body: unknown): string[] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return [];
  return body.errors.filter((e): e is string => typeof e === 'string').map((e) => redactVaultText(flatten(e)));
}

// node-vault rejects with ApiResponseError ({ response: { statusCode, body } }) for HTTP errors and
// with the axios error for transport failures. Only the status, Vault's errors and the transport's
// error code are kept: the axios error object holds the request, token header included.
function toRequestError(method: VaultMethod, path: string, error: unknown): VaultRequestError {
  if (isRecord(error) && isRecord(error.response) && typeof error.response.statusCode === 'number') {
    return new VaultRequestError({ method, path, status: error.response.statusCode, errors: vaultErrors(error.response.body) });
  }
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : 'request failed';
  return new VaultRequestError({ method, path, status: undefined, errors: [redactVaultText(code)] });
}

/** The default transport: node-vault (axios) with a per-request timeout and optional CA bundle. */
export function nodeVaultTransport(options: { address: string; namespace?: string; caCert?: string; timeoutMs?: number }): VaultTransport {
  const requestOptions = options.caCert === undefined ? {} : { ca: options.caCert };
  const vault = NodeVault({ endpoint: options.address, apiVersion: 'v1', namespace: options.namespace, requestOptions });
  // node-vault falls back to $VAULT_TOKEN; exkey sends its own token per request instead.
  vault.token = '';
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async ({ method, path, body, token }) => {
    const headers: Record<string, string> = token === undefined ? {} : { 'X-Vault-Token': token };
    let result: unknown;
    try {
      result = (await vault.request({ method, path: `/${path}`, json: body, headers, timeout })) as unknown;
    } catch (error) {
      throw toRequestError(method, path, error);
    }
    return isRecord(result) ? result : {};
  };
}

interface HeldToken {
  readonly token: string;
  readonly obtainedMs: number;
  /** When to replace it; undefined = never (no TTL). */
  readonly renewAtMs: number | undefined;
}

/** Supplies the token for each request and a fresher one after a 403. */
interface TokenSource {
  current(): Promise<string>;
  /** A replacement after a 403, or undefined when there is nothing fresher to try. */
  refreshAfterDenied(denied: string): Promise<string | undefined>;
}

function staticToken(token: string): TokenSource {
  return { current: () => Promise.resolve(token), refreshAfterDenied: () => Promise.resolve(undefined) };
}

function tokenFile(path: string, read: (path: string) => Promise<string>): TokenSource {
  let cached: string | undefined;
  const load = async (): Promise<string> => {
    const token = (await read(path)).trim();
    if (token === '') throw new Error(`Vault token file ${path} is empty`);
    cached = token;
    return token;
  };
  return {
    current: async () => cached ?? load(),
    refreshAfterDenied: async (denied) => {
      const token = await load();
      return token === denied ? undefined : token;
    },
  };
}

/** Reads `auth.client_token` and `auth.lease_duration` from a login response. */
export function parseLogin(body: VaultBody): { token: string; leaseSeconds: number } {
  const auth = body.auth;
  if (!isRecord(auth) || typeof auth.client_token !== 'string' || auth.client_token === '') {
    throw new VaultRequestError({ method: 'POST', path: 'auth/.../login', status: 200, errors: ['login response has no auth.client_token'] });
  }
  const lease = typeof auth.lease_duration === 'number' && auth.lease_duration > 0 ? auth.lease_duration : 0;
  return { token: auth.client_token, leaseSeconds: lease };
}

function renewAt(obtainedMs: number, leaseSeconds: number): number | undefined {
  if (leaseSeconds <= 0) return undefined;
  const ttlMs = leaseSeconds * 1000;
  return obtainedMs + Math.max(0, Math.min(ttlMs * RENEW_FRACTION, ttlMs - RENEW_MARGIN_MS));
}

function kubernetesLogin(
  auth: Extract<VaultAuth, { method: 'kubernetes' }>,
  config: { transport: VaultTransport; clock: Clock; read: (path: string) => Promise<string> },
): TokenSource {
  const mount = auth.mount ?? 'kubernetes';
  const jwtPath = auth.jwtPath ?? SERVICE_ACCOUNT_TOKEN_PATH;
  let held: HeldToken | undefined;
  let pending: Promise<HeldToken> | undefined;
  const login = (): Promise<HeldToken> => {
    pending ??= (async () => {
      // Re-read every time: the kubelet rotates projected service-account tokens.
      const jwt = (await config.read(jwtPath)).trim();
      const path = `auth/${mount}/login`;
      const body = await config.transport({ method: 'POST', path, body: { role: auth.role, jwt } }).catch((error: unknown) => {
        // Say that the login failed, not the call it was made for.
        if (!(error instanceof VaultRequestError)) throw error;
        const errors = [`Kubernetes auth login as role "${auth.role}" at ${path} failed: ${error.errors.join('; ') || 'no error text'}`];
        throw new VaultRequestError({ method: 'POST', path, status: error.status, errors });
      });
      const { token, leaseSeconds } = parseLogin(body);
      const obtainedMs = config.clock.nowMs();
      held = { token, obtainedMs, renewAtMs: renewAt(obtainedMs, leaseSeconds) };
      return held;
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const fresh = (token: HeldToken | undefined): token is HeldToken =>
    token !== undefined && (token.renewAtMs === undefined || config.clock.nowMs() < token.renewAtMs);
  return {
    current: async () => (fresh(held) ? held.token : (await login()).token),
    refreshAfterDenied: async (denied) => {
      if (held !== undefined && held.token === denied && config.clock.nowMs() - held.obtainedMs < RELOGIN_AFTER_403_MS) {
        return undefined;
      }
      const next = await login();
      return next.token === denied ? undefined : next.token;
    },
  };
}

function tokenSource(config: VaultClientConfig, transport: VaultTransport): TokenSource {
  const read = config.readFile ?? ((path: string) => readFile(path, 'utf8'));
  switch (config.auth.method) {
    case 'token':
      return staticToken(config.auth.token);
    case 'token-file':
      return tokenFile(config.auth.path, read);
    case 'kubernetes':
      return kubernetesLogin(config.auth, { transport, clock: config.clock, read });
  }
}

/** A VaultClient that authenticates as configured; a 403 is retried once with a fresher token if there is one. */
export function createVaultClient(config: VaultClientConfig): VaultClient {
  const address = config.address.replace(/\/+$/, '');
  const transport =
    config.transport ??
    nodeVaultTransport({ address, namespace: config.namespace, caCert: config.caCert, timeoutMs: config.requestTimeoutMs });
  const tokens = tokenSource(config, transport);
  return {
    address,
    async request(method, path, body) {
      const token = await tokens.current();
      try {
        return await transport({ method, path, body, token });
      } catch (error) {
        if (!(error instanceof VaultRequestError) || error.status !== 403) throw error;
        const fresher = await tokens.refreshAfterDenied(token);
        if (fresher === undefined) throw error;
        return transport({ method, path, body, token: fresher });
      }
    },
  };
}

/**
 * The operator's Vault settings from the environment:
 * - VAULT_ADDR (required), VAULT_NAMESPACE, VAULT_CACERT (path of a PEM bundle);
 * - Kubernetes auth when EXKEY_VAULT_K8S_ROLE is set (EXKEY_VAULT_K8S_MOUNT, default `kubernetes`;
 *   EXKEY_VAULT_K8S_JWT_PATH, default the pod's service-account token);
 * - else VAULT_TOKEN; else EXKEY_VAULT_TOKEN_FILE (re-read on 403).
 * Returns undefined when VAULT_ADDR is not set (Vault not configured); throws when it is set but
 * no authentication is.
 */
export async function vaultConfigFromEnv(
  env: NodeJS.ProcessEnv,
  clock: Clock,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<VaultClientConfig | undefined> {
  const address = env.VAULT_ADDR?.trim();
  if (address === undefined || address === '') return undefined;
  const auth = authFromEnv(env);
  const caCert = env.VAULT_CACERT ? await read(env.VAULT_CACERT) : undefined;
  return { address, auth, clock, namespace: env.VAULT_NAMESPACE || undefined, caCert, readFile: read };
}

function authFromEnv(env: NodeJS.ProcessEnv): VaultAuth {
  if (env.EXKEY_VAULT_K8S_ROLE) {
    return {
      method: 'kubernetes',
      role: env.EXKEY_VAULT_K8S_ROLE,
      mount: env.EXKEY_VAULT_K8S_MOUNT || undefined,
      jwtPath: env.EXKEY_VAULT_K8S_JWT_PATH || undefined,
    };
  }
  if (env.VAULT_TOKEN) return { method: 'token', token: env.VAULT_TOKEN };
  if (env.EXKEY_VAULT_TOKEN_FILE) return { method: 'token-file', path: env.EXKEY_VAULT_TOKEN_FILE };
  throw new Error(
    'VAULT_ADDR is set but no Vault authentication is: set EXKEY_VAULT_K8S_ROLE (Kubernetes auth), VAULT_TOKEN or EXKEY_VAULT_TOKEN_FILE',
  );
}

/** vaultConfigFromEnv + createVaultClient; undefined when VAULT_ADDR is not set. */
export async function vaultClientFromEnv(options: {
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => Promise<string>;
}): Promise<VaultClient | undefined> {
  const config = await vaultConfigFromEnv(options.env ?? process.env, options.clock, options.readFile);
  return config === undefined ? undefined : createVaultClient(config);
}
