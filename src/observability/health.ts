// /healthz (the process is alive), /readyz (informers synced) and /metrics (Prometheus) on one port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import type { Logger } from './logger.ts';

/** A running health server. */
export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Starts the health/metrics server on `port` (0 = any free port). */
export async function startHealthServer(options: { port: number; ready: () => boolean; logger: Logger }): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200).end('ok');
    } else if (path === '/readyz') {
      const ready = options.ready();
      res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : 'informers not synced');
    } else if (path === '/metrics') {
      register.metrics().then(
        (text) => res.writeHead(200, { 'content-type': register.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, 'health and metrics server listening');
  return {
    port,
    close: () => new Promise((resolve) => { server.close(() => { resolve(); }); }),
  };
}
