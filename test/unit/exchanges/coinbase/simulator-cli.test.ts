import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runSimulatorCommand } from '../../../../src/cli/simulator.ts';
import { parseCoinbaseSimulatorArgs, runCoinbaseSimulatorCli } from '../../../../src/exchanges/coinbase/simulator/cli.ts';
import { cdpPair, getPermissions, handToken, hostOf } from './support.ts';

function publicKeyFile(pem: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'exkey-cb-')), 'key.pub.pem');
  writeFileSync(file, pem);
  return file;
}

describe('parseCoinbaseSimulatorArgs', () => {
  it('should start with no keys on a free loopback port when no flag is given', () => {
    expect(parseCoinbaseSimulatorArgs([])).toEqual({ options: { port: 0, host: '127.0.0.1', rateLimits: true }, latencyMs: 0, failRate: 0 });
  });

  it('should register the key from its public key file when --key-name and --public-key-file are given', () => {
    const pair = cdpPair();
    const config = parseCoinbaseSimulatorArgs(['--key-name', pair.name, '--public-key-file', publicKeyFile(pair.publicKey), '--can-trade', '--public-host', 'cb.local']);
    expect(config.options).toMatchObject({ publicHost: 'cb.local', keys: [{ name: pair.name, publicKeyPem: pair.publicKey, can_view: true, can_trade: true, can_transfer: false }] });
  });

  it('should refuse --key-name without --public-key-file', () => {
    expect(() => parseCoinbaseSimulatorArgs(['--key-name', 'x'])).toThrow(/go together/);
  });
});

describe('runCoinbaseSimulatorCli', () => {
  it('should print its URL, verify tokens, and stop cleanly when it receives SIGINT', async () => {
    const pair = cdpPair();
    const lines: string[] = [];
    const signals = new EventEmitter();
    const printed = new Promise<string>((resolve) => {
      const running = runCoinbaseSimulatorCli(['--key-name', pair.name, '--public-key-file', publicKeyFile(pair.publicKey)], { out: (line) => { lines.push(line); resolve(line); }, signals });
      void running.then(() => lines.push('stopped'));
    });
    const line = await printed;
    expect(line).toMatch(/^coinbase simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice(line.indexOf('http'));
    const token = handToken({ pair, nowSeconds: Math.floor(Date.now() / 1000) }, hostOf(url));
    expect((await getPermissions(url, `Bearer ${token}`)).status).toBe(200);
    signals.emit('SIGINT');
    await expect.poll(() => lines.at(-1)).toBe('stopped');
  });

  it('should be what exkey simulator coinbase runs when the venue is named', async () => {
    await expect(runSimulatorCommand(['coinbase', '--key-name', 'x'])).rejects.toThrow(/go together/);
  });
});
