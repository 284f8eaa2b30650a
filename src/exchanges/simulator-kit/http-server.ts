// The HTTP scaffold every venue simulator runs on (node:http). It keeps the raw query string and
// body bytes exactly as received (signatures cover exact bytes), caps the body size, sends
// /__sim/ requests to the control API and everything else to the venue's handler, and tracks
// sockets so stop() also ends held (timeout-fault) and keep-alive connections.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../../observability/logger.ts';
import { handleAdmin, isAdminPath, type AdminControls } from './admin.ts';
import type { VenueFaultAction } from './faults.ts';

/** Largest request body a simulator reads by default (1 MiB); larger ones get 413. */
export const MAX_BODY_BYTES = 1 << 20;

/** One venue request, exactly as received. */
export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string as sent, without '?'. */
  rawQuery: string;
  /** Body bytes as sent. */
  rawBody: Buffer;
  /** Header values by lower-case name; repeated headers joined with ','. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Caller address, IPv4-mapped IPv6 already unwrapped. */
  ip: string;
}

/** One authenticated venue call as a route handler sees it: account A, calling key K, parsed parameters. */
export interface SimCall<A, K> {
  account: A;
  caller: K;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Venue time. */
  nowMs: number;
}

/** Options for startSimServer. */
export interface SimServerOptions<V extends VenueFaultAction = VenueFaultAction> {
  /** Venue name, used in log lines. */
  venue: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  maxBodyBytes?: number;
  /** The control API's hooks (served to loopback callers only). */
  admin: AdminControls<V>;
  /** Answers one venue request; must end `res` unless it deliberately holds the connection. */
  handle(req: SimRequest, res: ServerResponse): Promise<void>;
  logger?: Logger;
}

/** The listening settings a venue simulator passes through from its own options, absent ones left out. */
export function listenOptions(options: { port?: number; host?: string; logger?: Logger }): Pick<SimServerOptions, 'port' | 'host' | 'logger'> {
  return {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.logger ? { logger: options.logger } : {}),
  };
}

/** A running simulator server. */
export interface SimServer {
  url: string;
  port: number;
  /** Closes the server and every open connection; safe to call more than once. */
  stop(): Promise<void>;
}

/** Starts listening on host:port. */
export async function startSimServer<V extends VenueFaultAction>(options: SimServerOptions<V>): Promise<SimServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    serve(req, res, options).catch((err: unknown) => {
      options.logger?.error({ err }, `${options.venue} simulator: request failed`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal simulator error');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stop: () => (stopping ??= close(server, sockets)),
  };
}

async function serve<V extends VenueFaultAction>(req: IncomingMessage, res: ServerResponse, options: SimServerOptions<V>): Promise<void> {
  const rawUrl = req.url ?? '/';
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const rawBody = await readBody(req, options.maxBodyBytes ?? MAX_BODY_BYTES);
  if (rawBody === undefined) {
    res.writeHead(413, { 'Content-Type': 'text/plain' }).end('request body too large');
    return;
  }
  const method = req.method ?? 'GET';
  const ip = callerIp(req.socket.remoteAddress);
  if (isAdminPath(path)) {
    const answer = handleAdmin(options.admin, { method, path, rawBody, ip });
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
    return;
  }
  const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
  await options.handle({ method, path, rawQuery, rawBody, headers: headerMap(req), ip }, res);
}

/** Normalises a socket address ('::ffff:127.0.0.1' → '127.0.0.1'). */
export function callerIp(remoteAddress: string | undefined): string {
  const address = remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > maxBytes) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => { if (err) reject(err); else resolve(); });
    // Held (timeout-fault) and keep-alive connections would otherwise keep close() waiting.
    for (const socket of sockets) socket.destroy();
  });
}
