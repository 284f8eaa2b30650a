// The scaffold with a toy venue handler: raw bytes kept, body cap, admin routing, errors, stop().

import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimCore } from '../../../../src/exchanges/simulator-kit/core.ts';
import { applyFaults, sendAnswer } from '../../../../src/exchanges/simulator-kit/fault-response.ts';
import { callerIp, startSimServer, type SimRequest, type SimServer } from '../../../../src/exchanges/simulator-kit/http-server.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { VENUE_CODE, type VenueCode } from './support.ts';

let server: SimServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(handle?: (req: SimRequest) => unknown): Promise<{ url: string; core: ReturnType<typeof createSimCore<VenueCode, object>> }> {
  const core = createSimCore<VenueCode, object>({
    clock: new FakeClock(),
    venueFault: VENUE_CODE,
    defaultPathPrefix: '/api/',
    rateLimits: { limits: {}, windowMs: 1000, enabled: false },
  });
  server = await startSimServer({
    venue: 'toy',
    maxBodyBytes: 64,
    admin: core.adminControls({ list: () => [], get: () => undefined, patch: () => undefined }, core.controls(() => undefined)),
    handle: async (req, res) => {
      const outcome = await applyFaults(res, core.faults.plan(req.path), {
        venue: 'toy',
        sleep: () => Promise.resolve(),
        venueError: (action) => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: action.code }) }),
      });
      if (outcome) return;
      const body = handle ? handle(req) : { method: req.method, path: req.path, rawQuery: req.rawQuery, rawBody: req.rawBody.toString('utf8'), ip: req.ip, h: req.headers['x-sig'] };
      sendAnswer(res, { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    },
  });
  return { url: server.url, core };
}

describe('startSimServer', () => {
  it('should hand the venue the exact query and body bytes when a request arrives', async () => {
    const { url } = await start();
    const res = await request(`${url}/api/v5/x?b=2&a=%2f&a=1`, { method: 'POST', body: '{"z":1,  "a":2}', headers: { 'X-Sig': 'abc' } });
    expect(await res.body.json()).toEqual({ method: 'POST', path: '/api/v5/x', rawQuery: 'b=2&a=%2f&a=1', rawBody: '{"z":1,  "a":2}', ip: '127.0.0.1', h: 'abc' });
  });

  it('should answer 413 when the body exceeds the cap', async () => {
    const { url } = await start();
    const res = await request(`${url}/api/x`, { method: 'POST', body: 'x'.repeat(65) });
    expect([res.statusCode, await res.body.text()]).toEqual([413, 'request body too large']);
  });

  it('should route /__sim/ requests to the control API when the path is an admin path', async () => {
    const { url } = await start();
    const res = await request(`${url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 429, retryAfterSeconds: 4, times: 1 }) });
    expect(res.statusCode).toBe(201);
    await res.body.text();
    const hit = await request(`${url}/api/x`);
    expect([hit.statusCode, hit.headers['retry-after'], await hit.body.text()]).toEqual([429, '4', 'HTTP 429 (injected by the toy simulator)']);
  });

  it("should answer with the venue's error when a venue fault is set", async () => {
    const { url, core } = await start();
    core.faults.add({ kind: 'venueCode', code: 50011 });
    const res = await request(`${url}/api/x`);
    expect(await res.body.json()).toEqual({ code: 50011 });
  });

  it('should answer 500 when the venue handler throws', async () => {
    const { url } = await start(() => { throw new Error('boom'); });
    const res = await request(`${url}/api/x`);
    expect([res.statusCode, await res.body.text()]).toEqual([500, 'internal simulator error']);
  });

  it('should end held connections and allow a second stop when stopped during a timeout fault', async () => {
    const { url, core } = await start();
    core.faults.add({ kind: 'timeout' });
    const pending = request(`${url}/api/x`).catch((err: unknown) => err);
    await expect.poll(() => core.faults.list()[0]?.hits).toBe(1);
    const running = server!;
    await running.stop();
    await running.stop();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('callerIp', () => {
  it.each([
    { name: 'should unwrap an IPv4-mapped address when the socket is dual-stack', address: '::ffff:127.0.0.1', ip: '127.0.0.1' },
    { name: 'should keep an IPv6 address when it is not mapped', address: '::1', ip: '::1' },
    { name: 'should give an empty string when the address is unknown', address: undefined, ip: '' },
  ])('$name', ({ address, ip }) => {
    expect(callerIp(address)).toBe(ip);
  });
});
