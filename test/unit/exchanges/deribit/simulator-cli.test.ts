import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseDeribitSimulatorArgs, runDeribitSimulatorCli } from '../../../../src/exchanges/deribit/simulator/cli.ts';
import { runSimulatorCommand } from '../../../../src/cli/simulator.ts';

const REQUIRED = ['--master-key', 'K', '--master-secret', 'S'];

describe('parseDeribitSimulatorArgs', () => {
  it.each([
    {
      name: 'should default to a free loopback port with the credit limit on when only keys are given',
      argv: REQUIRED,
      expected: { options: { port: 0, host: '127.0.0.1', masterKey: 'K', masterSecret: 'S', rateLimits: true }, latencyMs: 0, failRate: 0 },
    },
    {
      name: 'should read every flag when all are given',
      argv: [...REQUIRED, '--port', '9502', '--host', '0.0.0.0', '--main-account-id', '55', '--subaccounts', '7, 8', '--tfa', '--no-rate-limits', '--latency-ms', '25', '--fail-rate', '0.1'],
      expected: {
        options: { port: 9502, host: '0.0.0.0', masterKey: 'K', masterSecret: 'S', mainAccountId: 55, subAccountIds: [7, 8], tfa: true, rateLimits: false },
        latencyMs: 25, failRate: 0.1,
      },
    },
  ])('$name', ({ argv, expected }) => {
    expect(parseDeribitSimulatorArgs(argv)).toEqual(expected);
  });

  it.each([
    { name: 'should refuse when the master secret is missing', argv: ['--master-key', 'K'], message: /--master-key and --master-secret are required/ },
    { name: 'should refuse when a sub-account id is not numeric', argv: [...REQUIRED, '--subaccounts', '7,desk'], message: /--subaccounts takes positive numeric account ids/ },
    { name: 'should refuse when the port is not a number', argv: [...REQUIRED, '--port', 'eighty'], message: /--port must be a non-negative number/ },
    { name: 'should refuse when an unknown flag is given', argv: [...REQUIRED, '--verbose'], message: /Unknown option/ },
  ])('$name', ({ argv, message }) => {
    expect(() => parseDeribitSimulatorArgs(argv)).toThrow(message);
  });
});

describe('runDeribitSimulatorCli', () => {
  it.each(['SIGINT', 'SIGTERM'])('should print its URL, serve, and stop cleanly when it receives %s', async (signal) => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const printed = new Promise<string>((resolve) => {
      const running = runDeribitSimulatorCli([...REQUIRED, '--latency-ms', '1'], {
        out: (line) => { lines.push(line); resolve(line); },
        signals,
      });
      void running.then(() => lines.push('stopped'));
    });
    const line = await printed;
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    expect(line).toMatch(/^deribit simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/api/v2/public/get_time`);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', result: expect.any(Number) });
    signals.emit(signal);
    await expect.poll(() => lines.at(-1)).toBe('stopped');
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
    await expect(fetch(`${url}/api/v2/public/get_time`)).rejects.toThrow();
  });

  it('should be reachable as `exkey simulator deribit` when the venue is named', async () => {
    await expect(runSimulatorCommand(['deribit', '--master-key', 'K'])).rejects.toThrow(/--master-secret are required/);
  });
});
