import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cliFaults, readCommonSimArgs, serveUntilSignal } from '../../../../src/exchanges/simulator-kit/cli.ts';

describe('readCommonSimArgs', () => {
  it.each([
    { name: 'should default to a free loopback port with limits on when no flag is given', values: {}, expected: { port: 0, host: '127.0.0.1', rateLimits: true, latencyMs: 0, failRate: 0 } },
    {
      name: 'should read every flag when all are given',
      values: { port: '9501', host: '0.0.0.0', 'no-rate-limits': true, 'latency-ms': '25', 'fail-rate': '0.1' },
      expected: { port: 9501, host: '0.0.0.0', rateLimits: false, latencyMs: 25, failRate: 0.1 },
    },
  ])('$name', ({ values, expected }) => {
    expect(readCommonSimArgs(values, 'usage: x')).toEqual(expected);
  });

  it.each([
    { name: 'should refuse with the usage when the port is not a number', values: { port: 'eighty' }, message: /--port must be a non-negative number\nusage: x/ },
    { name: 'should refuse when the latency is negative', values: { 'latency-ms': '-1' }, message: /--latency-ms must be a non-negative number/ },
    { name: 'should refuse when the fail rate is above 1', values: { 'fail-rate': '1.5' }, message: /--fail-rate must be within \[0, 1\]/ },
  ])('$name', ({ values, message }) => {
    expect(() => readCommonSimArgs(values, 'usage: x')).toThrow(message);
  });
});

describe('cliFaults', () => {
  it.each([
    { name: 'should install nothing when neither flag is set', args: { latencyMs: 0, failRate: 0 }, expected: [] },
    {
      name: 'should install a latency and a probabilistic 503 when both flags are set',
      args: { latencyMs: 20, failRate: 0.25 },
      expected: [{ kind: 'latency', latencyMs: 20 }, { kind: 'status', status: 503, probability: 0.25 }],
    },
  ])('$name', ({ args, expected }) => {
    expect(cliFaults(args)).toEqual(expected);
  });
});

describe('serveUntilSignal', () => {
  it.each(['SIGINT', 'SIGTERM'])('should print the URL, stop the simulator and drop its listeners when it receives %s', async (signal) => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    let stopped = 0;
    const done = serveUntilSignal('toy', { url: 'http://127.0.0.1:1', stop: () => { stopped++; return Promise.resolve(); } }, { out: (l) => lines.push(l), signals });
    expect(lines).toEqual(['toy simulator listening on http://127.0.0.1:1']);
    signals.emit(signal);
    await done;
    expect(stopped).toBe(1);
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });
});
