#!/usr/bin/env node
// exkey's single entry point: `exkey operator | dev | env | agent | restore-secret | simulator | version`.
// The image's ENTRYPOINT, `npx exkey`, and the npm scripts all come through here.
import { readFileSync } from 'node:fs';

const USAGE = `usage: exkey <command> [options]

commands:
  operator     run the operator against the current kubeconfig (or in-cluster config)
  dev          local control plane + simulator + operator + a sample ExchangeKey
  env          up | down | status | kubeconfig  (the local control plane)
  agent        decrypt a mounted ExchangeKey Secret into plain files (init container / sidecar)
  restore-secret  recreate an ExchangeKey's Secret from its Vault KV mirror (runbook: restore-from-vault)
  simulator    binance|bybit|deribit|okx --port P --master-key K --master-secret S [...]  (exchange simulators)
               kraken|coinbase --port P [...]  (manual venues: keys added via /__sim/keys)
  version      print the version
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'operator':
      return (await import('./cli/operator.ts')).runOperatorCommand(rest);
    case 'dev':
      return (await import('./cli/dev.ts')).runDevCommand(rest);
    case 'env':
      return (await import('./localenv/index.ts')).runEnvCommand(rest);
    case 'agent':
      return (await import('./agent/index.ts')).runAgentCommand(rest);
    case 'restore-secret':
      return (await import('./cli/restore.ts')).runRestoreCommand(rest);
    case 'simulator':
      return (await import('./cli/simulator.ts')).runSimulatorCommand(rest);
    case 'version': {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
      console.log(pkg.version);
      return 0;
    }
    default:
      process.stderr.write(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
