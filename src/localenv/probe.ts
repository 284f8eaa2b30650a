// HTTPS health probes against the local components, always verifying the server's certificate.
import { request } from 'node:https';

/** Status code and body of a GET. */
export interface ProbeResult {
  status: number;
  body: string;
}

/** GET `url` trusting only `caPem`, with an optional bearer token; rejects on network errors. */
export function httpsGet(url: string, caPem: string, token?: string, timeoutMs = 3_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      ca: caPem,
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      timeout: timeoutMs,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
      res.on('error', reject);
    });
    req.on('timeout', () => { req.destroy(new Error(`GET ${url}: timed out after ${timeoutMs} ms`)); });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves true once GET `url` answers 200, undefined otherwise (shaped for waitUntil). */
export async function isOk(url: string, caPem: string, token?: string): Promise<true | undefined> {
  const res = await httpsGet(url, caPem, token);
  if (res.status === 200) return true;
  throw new Error(`GET ${url}: ${res.status} ${res.body.slice(0, 500)}`);
}
