import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseBinanceSimulatorArgs, runBinanceSimulatorCli } from '../../../../src/exchanges/binance/simulator/cli.ts';
import { runSimulatorCommand } from '../../../../src/cli/simulator.ts';

const REQUIRED = ['--master-key', 'K', '--master-secret', 'S'];

describe('parseBinanceSimulatorArgs', () => {
  it.each([
    {
      name: 'should default to a free loopback port with rate limits on when only keys are given',
      argv: REQUIRED,
      expected: { options: { port: 0, host: '127.0.0.1', masterKey: 'K', masterSecret: 'S', rateLimits: true }, latencyMs: 0, failRate: 0 },
    },
    {
      name: 'should read every flag when all are given',
      argv: [...REQUIRED, '--port', '9502', '--host', '0.0.0.0', '--master-uid', '42', '--sub-account', 'a@x.io', '--sub-account', 'b@x.io',
        '--no-rate-limits', '--latency-ms', '25', '--fail-rate', '0.1'],
      expected: {
        options: { port: 9502, host: '0.0.0.0', masterKey: 'K', masterSecret: 'S', masterUid: '42', subAccounts: ['a@x.io', 'b@x.io'], rateLimits: false },
        latencyMs: 25, failRate: 0.1,
      },
    },
  ])('$name', ({ argv, expected }) => {
    expect(parseBinanceSimulatorArgs(argv)).toEqual(expected);
  });

  it.each([
    { name: 'should refuse when the master secret is missing', argv: ['--master-key', 'K'], message: /--master-key and --master-secret are required/ },
    { name: 'should refuse when the port is not a number', argv: [...REQUIRED, '--port', 'eighty'], message: /--port must be a non-negative number/ },
    { name: 'should refuse when an unknown flag is given', argv: [...REQUIRED, '--verbose'], message: /Unknown option/ },
  ])('$name', ({ argv, message }) => {
    expect(() => parseBinanceSimulatorArgs(argv)).toThrow(message);
  });
});

describe('runBinanceSimulatorCli', () => {
  it.each(['SIGINT', 'SIGTERM'])('should print its URL, serve, and stop cleanly when it receives %s', async (signal) => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const printed = new Promise<string>((resolve) => {
      const running = runBinanceSimulatorCli([...REQUIRED, '--latency-ms', '1'], {
        out: (line) => { lines.push(line); resolve(line); },
        signals,
      });
      void running.then(() => lines.push('stopped'));
    });
    const line = await printed;
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    expect(line).toMatch(/^binance simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/api/v3/time`);
    expect(await res.json()).toMatchObject({ serverTime: expect.any(Number) });
    signals.emit(signal);
    await expect.poll(() => lines.at(-1)).toBe('stopped');
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
    await expect(fetch(`${url}/api/v3/time`)).rejects.toThrow();
  });
});

describe('exkey simulator', () => {
  it('should list binance among the venues when the venue is unknown', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string): void => { errors.push(line); };
    try {
      expect(await runSimulatorCommand(['nowhere'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join('\n')).toMatch(/binance/);
  });
});
