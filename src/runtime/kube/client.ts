// A thin JSON client for the Kubernetes REST API. client-node's generated clients build a new
// undici Agent per request (no connection reuse), which costs a TLS handshake per call; exkey
// issues thousands of small writes, so it keeps one pooled Agent and uses KubeConfig only for
// what it is good at: loading kubeconfig/in-cluster config and producing auth headers and TLS material.
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { KubeApiError, type ApiStatus } from './errors.ts';
import { kubeRequests, resourceOf } from '../../observability/metrics.ts';

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

const MATERIAL_TTL_MS = 60_000;

/** One API call. `path` starts with /api or /apis. */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  patchType?: PatchType;
}

/** Minimal transport every Kubernetes-facing module depends on (tests can pass another). */
export interface KubeTransport {
  /** Performs the call and returns the parsed JSON body; throws KubeApiError on failure. */
  send<T>(req: KubeRequest): Promise<T>;
}

interface HttpsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
  headers?: Record<string, string | string[] | number | undefined>;
}

/** KubeTransport over one keep-alive connection pool. */
export class KubeClient implements KubeTransport {
  private readonly kc: KubeConfig;
  private readonly server: string;
  private dispatcher: Dispatcher | undefined;
  private cached: { material: HttpsMaterial; at: number } | undefined;
  private readonly userAgent: string;

  constructor(kc: KubeConfig, options: { userAgent?: string } = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.kc = kc;
    this.server = cluster.server.replace(/\/$/, '');
    this.userAgent = options.userAgent ?? 'exkey';
  }

  /** The KubeConfig this client authenticates with (informers reuse it). */
  get config(): KubeConfig {
    return this.kc;
  }

  async send<T>(req: KubeRequest): Promise<T> {
    const material = await this.material();
    const url = this.server + req.path + queryString(req.query);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent };
    for (const [name, value] of Object.entries(material.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = String(value);
    }
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = req.method === 'PATCH' ? CONTENT_TYPES[req.patchType ?? 'merge'] : 'application/json';
    }
    const context = `${req.method} ${req.path}`;
    const resource = resourceOf(req.path);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, { method: req.method, headers, body, dispatcher: this.pool(material) });
    } catch (err) {
      kubeRequests.inc({ verb: req.method, resource, code: '0' });
      throw new KubeApiError(0, { message: err instanceof Error ? err.message : String(err) }, context);
    }
    kubeRequests.inc({ verb: req.method, resource, code: String(response.statusCode) });
    const text = await response.body.text();
    if (response.statusCode >= 300) {
      throw new KubeApiError(response.statusCode, parseStatus(text), context);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.dispatcher?.close();
    this.dispatcher = undefined;
  }

  // Re-read at most once a minute: exec and OIDC plugins and rotated service-account token
  // files refresh credentials behind applyToHTTPSOptions, which also re-parses TLS keys and is
  // far too costly to run for each of thousands of small requests.
  private async material(): Promise<HttpsMaterial> {
    const now = performance.now();
    if (this.cached && now - this.cached.at < MATERIAL_TTL_MS) return this.cached.material;
    const opts: HttpsMaterial = {};
    await this.kc.applyToHTTPSOptions(opts);
    this.cached = { material: opts, at: now };
    return opts;
  }

  private pool(material: HttpsMaterial): Dispatcher {
    if (!this.dispatcher) {
      const connect: ConnectionOptions = {};
      if (material.ca) connect.ca = material.ca;
      if (material.cert) connect.cert = material.cert;
      if (material.key) connect.key = material.key;
      if (material.rejectUnauthorized !== undefined) connect.rejectUnauthorized = material.rejectUnauthorized;
      if (material.servername) connect.servername = material.servername;
      this.dispatcher = new Agent({ connect, connections: 32, keepAliveTimeout: 30_000 });
    }
    return this.dispatcher;
  }
}

function queryString(query: KubeRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseStatus(text: string): ApiStatus | undefined {
  try {
    return JSON.parse(text) as ApiStatus;
  } catch {
    return { message: text.slice(0, 500) };
  }
}
