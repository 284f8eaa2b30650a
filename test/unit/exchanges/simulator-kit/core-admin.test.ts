// The control API over a core: routes, loopback rule, errors, the venue's keys and reset hooks.

import { describe, expect, it } from 'vitest';
import { handleAdmin, type AdminRequest } from '../../../../src/exchanges/simulator-kit/admin.ts';
import { createSimCore } from '../../../../src/exchanges/simulator-kit/core.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { VENUE_CODE, type VenueCode } from './support.ts';

interface Entry {
  path: string;
}

function setup(): { ask: (method: string, path: string, body?: unknown, ip?: string) => { status: number; body: any }; resets: string[]; core: ReturnType<typeof createSimCore<VenueCode, Entry>> } {
  const clock = new FakeClock('2026-01-05T12:00:00Z');
  const core = createSimCore<VenueCode, Entry>({
    clock,
    venueFault: VENUE_CODE,
    defaultPathPrefix: '/api/',
    rateLimits: { limits: { '/api/create': 1 }, windowMs: 1000, enabled: false },
  });
  const resets: string[] = [];
  const keys = new Map<string, { id: string; label: string }>([['K1', { id: 'K1', label: 'a' }]]);
  const admin = core.adminControls({
    list: () => [...keys.values()],
    get: (id) => keys.get(id),
    patch: (id, body) => {
      const key = keys.get(id);
      if (!key) return undefined;
      const label = (body as { label?: unknown }).label;
      if (typeof label !== 'string') throw new Error('label must be a string');
      key.label = label;
      return key;
    },
  }, core.controls(() => { resets.push('venue'); }));
  const ask = (method: string, path: string, body?: unknown, ip = '127.0.0.1'): { status: number; body: any } => {
    const req: AdminRequest = { method, path, ip, rawBody: Buffer.from(body === undefined ? '' : JSON.stringify(body)) };
    return handleAdmin(admin, req);
  };
  return { ask, resets, core };
}

describe('handleAdmin', () => {
  it.each([
    { name: 'should answer 200 when the caller is IPv4 loopback', ip: '127.0.0.1', status: 200 },
    { name: 'should answer 200 when the caller is IPv6 loopback', ip: '::1', status: 200 },
    { name: 'should answer 403 when the caller is not loopback', ip: '10.0.0.5', status: 403 },
  ])('$name', ({ ip, status }) => {
    expect(setup().ask('GET', '/__sim/keys', undefined, ip).status).toBe(status);
  });

  it("should serve the venue's keys when asked for all, one, or a patch", () => {
    const { ask } = setup();
    expect(ask('GET', '/__sim/keys/').body).toEqual({ keys: [{ id: 'K1', label: 'a' }] });
    expect(ask('GET', '/__sim/keys/K1').body).toEqual({ key: { id: 'K1', label: 'a' } });
    expect(ask('PATCH', '/__sim/keys/K1', { label: 'b' }).body).toEqual({ key: { id: 'K1', label: 'b' } });
    expect(ask('GET', '/__sim/keys/NOPE').status).toBe(404);
  });

  it.each([
    { name: 'should answer 400 when a patch is malformed', method: 'PATCH', path: '/__sim/keys/K1', body: { label: 1 }, status: 400 },
    { name: 'should answer 400 when a fault is malformed', method: 'POST', path: '/__sim/faults', body: { kind: 'explode' }, status: 400 },
    { name: 'should answer 400 when rate-limits gets no boolean', method: 'POST', path: '/__sim/rate-limits', body: { enabled: 'yes' }, status: 400 },
    { name: 'should answer 404 when the route is unknown', method: 'GET', path: '/__sim/nothing', body: undefined, status: 404 },
  ])('$name', ({ method, path, body, status }) => {
    expect(setup().ask(method, path, body).status).toBe(status);
  });

  it('should add, list and clear faults when driven over the control API', () => {
    const { ask, core } = setup();
    const added = ask('POST', '/__sim/faults', { kind: 'venueCode', code: 50011 });
    expect(added).toEqual({ status: 201, body: { fault: { kind: 'venueCode', code: 50011, pathPrefix: '/api/', id: '1', hits: 0 } } });
    expect(core.faults.plan('/api/x').terminal).toMatchObject({ code: 50011 });
    expect(ask('GET', '/__sim/faults').body.faults).toHaveLength(1);
    expect(ask('DELETE', '/__sim/faults').body).toEqual({ cleared: 1 });
  });

  it('should switch the limiter when rate-limits is posted', () => {
    const { ask, core } = setup();
    expect(ask('POST', '/__sim/rate-limits', { enabled: true }).body).toEqual({ enabled: true });
    expect(core.limiter.enabled()).toBe(true);
  });

  it('should list recorded requests with their clock time', () => {
    const { ask, core } = setup();
    core.requests.record({ path: '/api/a' });
    expect(ask('GET', '/__sim/requests').body).toEqual({ requests: [{ at: '2026-01-05T12:00:00.000Z', path: '/api/a' }] });
  });

  it('should reset the venue and forget faults, limits and history when reset is posted', () => {
    const { ask, core, resets } = setup();
    core.faults.add({ kind: 'timeout' });
    core.requests.record({ path: '/api/a' });
    expect(ask('POST', '/__sim/reset').body).toEqual({ reset: true });
    expect([resets, core.faults.list(), core.requests.list()]).toEqual([['venue'], [], []]);
  });
});
