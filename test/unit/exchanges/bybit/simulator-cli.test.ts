import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseBybitSimulatorArgs, runBybitSimulatorCli } from '../../../../src/exchanges/bybit/simulator/cli.ts';

const REQUIRED = ['--master-key', 'K', '--master-secret', 'S'];

describe('parseBybitSimulatorArgs', () => {
  it.each([
    {
      name: 'should default to a free loopback port with rate limits on when only keys are given',
      argv: REQUIRED,
      expected: { options: { port: 0, host: '127.0.0.1', masterKey: 'K', masterSecret: 'S', rateLimits: true }, latencyMs: 0, failRate: 0 },
    },
    {
      name: 'should read every flag when all are given',
      argv: [...REQUIRED, '--port', '9501', '--host', '0.0.0.0', '--master-uid', '42', '--no-rate-limits', '--latency-ms', '25', '--fail-rate', '0.1'],
      expected: { options: { port: 9501, host: '0.0.0.0', masterKey: 'K', masterSecret: 'S', masterUid: '42', rateLimits: false }, latencyMs: 25, failRate: 0.1 },
    },
  ])('$name', ({ argv, expected }) => {
    expect(parseBybitSimulatorArgs(argv)).toEqual(expected);
  });

  it.each([
    { name: 'should refuse when the master key is missing', argv: ['--master-secret', 'S'], message: /--master-key and --master-secret are required/ },
    { name: 'should refuse when the port is not a number', argv: [...REQUIRED, '--port', 'eighty'], message: /--port must be a non-negative number/ },
    { name: 'should refuse when the fail rate is above 1', argv: [...REQUIRED, '--fail-rate', '1.5'], message: /--fail-rate must be within/ },
    { name: 'should refuse when an unknown flag is given', argv: [...REQUIRED, '--verbose'], message: /Unknown option/ },
  ])('$name', ({ argv, message }) => {
    expect(() => parseBybitSimulatorArgs(argv)).toThrow(message);
  });
});

describe('runBybitSimulatorCli', () => {
  it.each(['SIGINT', 'SIGTERM'])('should print its URL, serve, and stop cleanly when it receives %s', async (signal) => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const printed = new Promise<string>((resolve) => {
      const running = runBybitSimulatorCli([...REQUIRED, '--latency-ms', '1'], {
        out: (line) => { lines.push(line); resolve(line); },
        signals,
      });
      void running.then(() => lines.push('stopped'));
    });
    const line = await printed;
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    expect(line).toMatch(/^bybit simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/v5/market/time`);
    expect(await res.json()).toMatchObject({ retCode: 0 });
    signals.emit(signal);
    await expect.poll(() => lines.at(-1)).toBe('stopped');
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
    await expect(fetch(`${url}/v5/market/time`)).rejects.toThrow();
  });
});
