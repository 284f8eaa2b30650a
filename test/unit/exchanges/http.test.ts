import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeRequestDuration, exchangeRequests } from '../../../src/observability/metrics.ts';
import { classifyResponse, createHttpClient, parseRetryAfter } from '../../../src/exchanges/http.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { ExchangeError, type ExchangeErrorKind } from '../../../src/exchanges/types.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const NOW = Date.parse('2026-01-05T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    { name: 'should read delta seconds when Retry-After is a number', value: '3', expected: 3000 },
    { name: 'should read zero when Retry-After is 0', value: '0', expected: 0 },
    { name: 'should measure from now when Retry-After is an HTTP date', value: 'Mon, 05 Jan 2026 12:00:05 GMT', expected: 5000 },
    { name: 'should clamp to zero when the date has passed', value: 'Mon, 05 Jan 2026 11:00:00 GMT', expected: 0 },
    { name: 'should ignore a malformed value', value: 'soon', expected: undefined },
    { name: 'should ignore a negative number', value: '-3', expected: undefined },
    { name: 'should ignore a missing header', value: undefined, expected: undefined },
  ])('$name', ({ value, expected }) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('classifyResponse', () => {
  it.each<{ name: string; status: number; headers?: Record<string, string>; kind?: ExchangeErrorKind; retryAfterMs?: number }>([
    { name: 'should pass a 200 through to the adapter', status: 200 },
    { name: 'should pass a 401 through to the adapter (the body decides)', status: 401 },
    { name: 'should pass a 404 through to the adapter', status: 404 },
    { name: 'should be rate-limit when the status is 429', status: 429, kind: 'rate-limit' },
    { name: 'should honour Retry-After when a 429 carries it', status: 429, headers: { 'retry-after': '7' }, kind: 'rate-limit', retryAfterMs: 7000 },
    { name: 'should be unavailable when the status is 500', status: 500, kind: 'unavailable' },
    { name: 'should be unavailable when the status is 503 and keep Retry-After', status: 503, headers: { 'retry-after': '1' }, kind: 'unavailable', retryAfterMs: 1000 },
  ])('$name', ({ status, headers = {}, kind, retryAfterMs }) => {
    const err = classifyResponse('venue', { status, headers, body: 'x' }, NOW);
    if (kind === undefined) {
      expect(err).toBeUndefined();
      return;
    }
    expect(err).toMatchObject({ venue: 'venue', kind, code: String(status), httpStatus: status, retryable: true });
    expect(err?.retryAfterMs).toBe(retryAfterMs);
  });
});

describe('createHttpClient', () => {
  let server: Server;
  let base: string;
  const sockets = new Set<Socket>();
  let arrived: () => void = () => undefined;

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Echo-Method': req.method ?? '' });
        res.end(JSON.stringify({ body, header: req.headers['x-test'] }));
      });
    },
    '/unauthorized': (_req, res) => { res.writeHead(401).end('{"retCode":10003}'); },
    '/busy': (_req, res) => { res.writeHead(429, { 'Retry-After': '4' }).end('slow down'); },
    '/down': (_req, res) => { res.writeHead(502).end('<html>bad gateway</html>'); },
    '/hang': () => { arrived(); },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      (routes[path] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => { server.close(resolve); });
  });

  const client = (clock = new FakeClock(), timeoutMs = 2000): ReturnType<typeof createHttpClient> =>
    createHttpClient({ venue: 'venue', clock, timeoutMs });

  async function failure(promise: Promise<unknown>): Promise<ExchangeError> {
    const err: unknown = await promise.then(() => undefined, (e: unknown) => e);
    if (!(err instanceof ExchangeError)) throw new Error(`expected ExchangeError, got ${String(err)}`);
    return err;
  }

  it('should return status, lower-case headers and the raw body when the venue answers 200', async () => {
    const res = await client().send({ method: 'POST', url: `${base}/ok`, headers: { 'X-Test': 'yes' }, body: '{"a":1}' });
    expect(res).toMatchObject({ status: 200, body: JSON.stringify({ body: '{"a":1}', header: 'yes' }) });
    expect(res.headers['x-echo-method']).toBe('POST');
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('should return a 401 with its body when the venue refuses auth', async () => {
    expect(await client().send({ method: 'GET', url: `${base}/unauthorized` })).toMatchObject({ status: 401, body: '{"retCode":10003}' });
  });

  it('should throw rate-limit with Retry-After when the venue answers 429', async () => {
    expect(await failure(client().send({ method: 'GET', url: `${base}/busy` }))).toMatchObject({ kind: 'rate-limit', code: '429', retryAfterMs: 4000 });
  });

  it('should count every request by venue, path and code, and time it', async () => {
    const counted = createHttpClient({ venue: 'metrics-venue', clock: new FakeClock(), timeoutMs: 2000 });
    await counted.send({ method: 'GET', url: `${base}/ok?secret=never-a-label` });
    await failure(counted.send({ method: 'GET', url: `${base}/busy` }));
    const samples = (await exchangeRequests.get()).values.filter((v) => v.labels.venue === 'metrics-venue');
    expect(samples.map((v) => [v.labels.path, v.labels.code, v.value]).sort()).toEqual([['/busy', '429', 1], ['/ok', '200', 1]]);
    const durations = (await exchangeRequestDuration.get()).values.filter((v) => v.labels.venue === 'metrics-venue' && v.metricName === 'exkey_exchange_request_duration_seconds_count');
    expect(durations.map((v) => v.value)).toEqual([1, 1]);
  });

  it('should throw unavailable when the venue answers 502', async () => {
    const err = await failure(client().send({ method: 'GET', url: `${base}/down` }));
    expect(err).toMatchObject({ kind: 'unavailable', code: '502', httpStatus: 502 });
    expect(err.message).toContain('bad gateway');
  });

  it('should throw unavailable with the socket code when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => { closed.listen(0, '127.0.0.1', resolve); });
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => { closed.close(resolve); });
    expect(await failure(client().send({ method: 'GET', url: `http://127.0.0.1:${port}/` }))).toMatchObject({ kind: 'unavailable', code: 'ECONNREFUSED' });
  });

  it('should throw unavailable with code timeout when the injected clock reaches the deadline', async () => {
    const clock = new FakeClock();
    const reached = new Promise<void>((resolve) => { arrived = resolve; });
    const pending = failure(client(clock, 60_000).send({ method: 'GET', url: `${base}/hang?token=abc` }));
    await reached;
    await clock.advance(60_000);
    const err = await pending;
    expect(err).toMatchObject({ kind: 'unavailable', code: 'timeout' });
    expect(err.message).toContain('GET /hang');
    expect(err.message).not.toContain('token=abc');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('should throw unavailable with code timeout when the real clock reaches the deadline', async () => {
    const err = await failure(createHttpClient({ venue: 'venue', clock: systemClock, timeoutMs: 100 }).send({ method: 'GET', url: `${base}/hang` }));
    expect(err).toMatchObject({ kind: 'unavailable', code: 'timeout', retryable: true });
  });

  it('should cancel its timer when the request completes', async () => {
    const clock = new FakeClock();
    await client(clock).send({ method: 'GET', url: `${base}/ok` });
    expect(clock.pendingTimers()).toBe(0);
  });
});
