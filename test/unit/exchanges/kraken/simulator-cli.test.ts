import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runSimulatorCommand } from '../../../../src/cli/simulator.ts';
import { parseKrakenSimulatorArgs, runKrakenSimulatorCli } from '../../../../src/exchanges/kraken/simulator/cli.ts';
import { TRADER, rawCall } from './support.ts';

describe('parseKrakenSimulatorArgs', () => {
  it.each([
    { name: 'should start with no keys on a free loopback port when no flag is given', argv: [], expected: { options: { port: 0, host: '127.0.0.1', rateLimits: true }, latencyMs: 0, failRate: 0 } },
    {
      name: 'should create the given key with read and spot trading when --key and --secret are given',
      argv: ['--port', '9510', '--key', 'K', '--secret', 'c2VjcmV0', '--ip', '127.0.0.1', '--no-rate-limits'],
      expected: {
        options: {
          port: 9510, host: '127.0.0.1', rateLimits: false,
          keys: [{ apiKey: 'K', secret: 'c2VjcmV0', apiKeyName: 'cli', permissions: ['query-funds', 'query-open-trades', 'query-closed-trades', 'modify-trades', 'close-trades'], ipAllowlist: ['127.0.0.1'], nonceWindow: 0, validUntilMs: 0 }],
        },
        latencyMs: 0, failRate: 0,
      },
    },
  ])('$name', ({ argv, expected }) => {
    expect(parseKrakenSimulatorArgs(argv)).toEqual(expected);
  });

  it.each([
    { name: 'should refuse --key without --secret', argv: ['--key', 'K'], message: /--key and --secret go together/ },
    { name: 'should refuse an unknown flag', argv: ['--master-key', 'K'], message: /Unknown option/ },
  ])('$name', ({ argv, message }) => {
    expect(() => parseKrakenSimulatorArgs(argv)).toThrow(message);
  });
});

describe('runKrakenSimulatorCli', () => {
  it('should print its URL, serve signed calls, and stop cleanly when it receives SIGTERM', async () => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const printed = new Promise<string>((resolve) => {
      const running = runKrakenSimulatorCli(['--key', TRADER.apiKey ?? '', '--secret', TRADER.secret ?? ''], { out: (line) => { lines.push(line); resolve(line); }, signals });
      void running.then(() => lines.push('stopped'));
    });
    const line = await printed;
    expect(line).toMatch(/^kraken simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice(line.indexOf('http'));
    expect((await rawCall(url, { nonce: String(Date.now()) })).json.result).toMatchObject({ apiKey: TRADER.apiKey, apiKeyName: 'cli' });
    signals.emit('SIGTERM');
    await expect.poll(() => lines.at(-1)).toBe('stopped');
  });

  it('should be what exkey simulator kraken runs when the venue is named', async () => {
    await expect(runSimulatorCommand(['kraken', '--key', 'K'])).rejects.toThrow(/--key and --secret go together/);
  });
});
