import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runSimulatorCommand } from '../../../../src/cli/simulator.ts';
import { parseOkxSimulatorArgs, runOkxSimulatorCli } from '../../../../src/exchanges/okx/simulator/cli.ts';

const REQUIRED = ['--master-key', 'K', '--master-secret', 'S', '--master-passphrase', 'Pass1!word'];

describe('parseOkxSimulatorArgs', () => {
  it.each([
    {
      name: 'should default to a free loopback port with rate limits on when only the master key is given',
      argv: REQUIRED,
      expected: { options: { port: 0, host: '127.0.0.1', masterKey: 'K', masterSecret: 'S', masterPassphrase: 'Pass1!word', rateLimits: true }, latencyMs: 0, failRate: 0 },
    },
    {
      name: 'should read every flag when all are given',
      argv: [...REQUIRED, '--port', '9502', '--host', '0.0.0.0', '--master-uid', '42', '--master-ips', '10.0.0.1, 10.0.0.0/24',
        '--sub-accounts', 'deskalpha01,deskbeta02', '--no-rate-limits', '--latency-ms', '25', '--fail-rate', '0.1'],
      expected: {
        options: {
          port: 9502, host: '0.0.0.0', masterKey: 'K', masterSecret: 'S', masterPassphrase: 'Pass1!word', masterUid: '42',
          masterIps: ['10.0.0.1', '10.0.0.0/24'], subAccounts: ['deskalpha01', 'deskbeta02'], rateLimits: false,
        },
        latencyMs: 25,
        failRate: 0.1,
      },
    },
  ])('$name', ({ argv, expected }) => {
    expect(parseOkxSimulatorArgs(argv)).toEqual(expected);
  });

  it.each([
    { name: 'should refuse when the passphrase is missing', argv: ['--master-key', 'K', '--master-secret', 'S'], message: /--master-passphrase are required/ },
    { name: 'should refuse when the port is not a number', argv: [...REQUIRED, '--port', 'eighty'], message: /--port must be a non-negative number/ },
    { name: 'should refuse when an unknown flag is given', argv: [...REQUIRED, '--verbose'], message: /Unknown option/ },
  ])('$name', ({ argv, message }) => {
    expect(() => parseOkxSimulatorArgs(argv)).toThrow(message);
  });
});

describe('runOkxSimulatorCli', () => {
  it.each(['SIGINT', 'SIGTERM'])('should print its URL, serve, and stop cleanly when it receives %s', async (signal) => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const printed = new Promise<string>((resolve) => {
      const running = runOkxSimulatorCli([...REQUIRED, '--latency-ms', '1'], {
        out: (line) => { lines.push(line); resolve(line); },
        signals,
      });
      void running.then(() => lines.push('stopped'));
    });
    const line = await printed;
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    expect(line).toMatch(/^okx simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/api/v5/public/time`);
    expect(await res.json()).toMatchObject({ code: '0' });
    signals.emit(signal);
    await expect.poll(() => lines.at(-1)).toBe('stopped');
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
    await expect(fetch(`${url}/api/v5/public/time`)).rejects.toThrow();
  });

  it('should be listed by `exkey simulator` when the venue is unknown', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => { errors.push(line); };
    try {
      expect(await runSimulatorCommand(['nope'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join('\n')).toMatch(/<[a-z|]*\bokx\b[a-z|]*>/);
  });
});
