import { describe, expect, it } from 'vitest';
import { createFaultStore, parseFaultSpec, type FaultSpec } from '../../../../src/exchanges/simulator-kit/faults.ts';
import { VENUE_CODE, type VenueCode } from './support.ts';

function store(draws: number[] = []): ReturnType<typeof createFaultStore<VenueCode>> {
  return createFaultStore({ venue: VENUE_CODE, defaultPathPrefix: '/api/', random: () => draws.shift() ?? 0 });
}

describe('createFaultStore', () => {
  it('should apply the default path prefix and count hits when a fault names no prefix', () => {
    const faults = store();
    const added = faults.add({ kind: 'venueCode', code: 50011 });
    expect(added).toMatchObject({ id: '1', pathPrefix: '/api/', hits: 0 });
    expect(faults.plan('/other').terminal).toBeUndefined();
    expect(faults.plan('/api/v5/x').terminal).toMatchObject({ kind: 'venueCode', code: 50011, hits: 1 });
  });

  it('should remove a fault when it has been hit `times` times', () => {
    const faults = store();
    faults.add({ kind: 'status', status: 503, times: 2 });
    const kinds = [1, 2, 3].map(() => faults.plan('/api/a').terminal?.kind);
    expect(kinds).toEqual(['status', 'status', undefined]);
    expect(faults.list()).toEqual([]);
  });

  it('should hit only the draws below the probability when a fault is probabilistic', () => {
    const faults = store([0.2, 0.8, 0.49]);
    faults.add({ kind: 'timeout', probability: 0.5 });
    expect([1, 2, 3].map(() => faults.plan('/api/a').terminal !== undefined)).toEqual([true, false, true]);
  });

  it('should add up latencies and pick the first terminal fault when several match', () => {
    const faults = store();
    faults.add({ kind: 'latency', latencyMs: 10 });
    faults.add({ kind: 'venueCode', code: 1 });
    faults.add({ kind: 'latency', latencyMs: 5 });
    faults.add({ kind: 'status', status: 500 });
    const plan = faults.plan('/api/a');
    expect(plan.latencyMs).toBe(15);
    expect(plan.terminal).toMatchObject({ kind: 'venueCode', code: 1 });
  });

  it('should report how many faults it removed when cleared', () => {
    const faults = store();
    faults.add({ kind: 'timeout' });
    faults.add({ kind: 'timeout' });
    expect(faults.clear()).toBe(2);
    expect(faults.list()).toEqual([]);
  });

  it.each<{ name: string; spec: FaultSpec<VenueCode>; message: RegExp }>([
    { name: 'should refuse a fault when its probability is above 1', spec: { kind: 'timeout', probability: 1.5 }, message: /probability/ },
    { name: 'should refuse a fault when times is zero', spec: { kind: 'timeout', times: 0 }, message: /times/ },
    { name: 'should refuse a fault when latency is negative', spec: { kind: 'latency', latencyMs: -1 }, message: /latencyMs/ },
    { name: 'should refuse a fault when the status is not an HTTP status', spec: { kind: 'status', status: 700 }, message: /HTTP status/ },
    { name: "should refuse a fault when the venue's check fails", spec: { kind: 'venueCode', code: 1.5 }, message: /code must be an integer/ },
  ])('$name', ({ spec, message }) => {
    expect(() => store().add(spec)).toThrow(message);
  });
});

describe('parseFaultSpec', () => {
  it.each([
    {
      name: 'should read a status fault with its scope when all fields are given',
      body: { kind: 'status', status: 429, retryAfterSeconds: 2, body: 'slow', pathPrefix: '/api/x', times: 1, probability: 0.5 },
      expected: { kind: 'status', status: 429, retryAfterSeconds: 2, body: 'slow', pathPrefix: '/api/x', times: 1, probability: 0.5 },
    },
    { name: 'should read a latency fault when latencyMs is given', body: { kind: 'latency', latencyMs: 20 }, expected: { kind: 'latency', latencyMs: 20 } },
    { name: 'should read a timeout fault when only the kind is given', body: { kind: 'timeout' }, expected: { kind: 'timeout' } },
    {
      name: "should read the venue's action through the venue when its kind is named",
      body: { kind: 'venueCode', code: 50011, msg: 'busy', times: 3 },
      expected: { kind: 'venueCode', code: 50011, msg: 'busy', times: 3 },
    },
  ])('$name', ({ body, expected }) => {
    expect(parseFaultSpec(body, VENUE_CODE)).toEqual(expected);
  });

  it.each([
    { name: 'should name every kind when the kind is unknown', body: { kind: 'explode' }, message: 'kind must be one of latency, status, venueCode, timeout' },
    { name: 'should refuse when a status is a string', body: { kind: 'status', status: '500' }, message: 'status must be a number' },
    { name: 'should refuse when a scope field has the wrong type', body: { kind: 'timeout', times: '2' }, message: 'times must be a number' },
    { name: "should refuse when the venue's field is missing", body: { kind: 'venueCode' }, message: 'code must be a number' },
  ])('$name', ({ body, message }) => {
    expect(() => parseFaultSpec(body, VENUE_CODE)).toThrow(message);
  });
});
