// `exkey operator`: runs the controllers until SIGTERM.
import { parseArgs } from 'node:util';
import { startOperator, type OperatorOptions } from '../operator.ts';
import { vaultClientFromEnv } from '../crypto/providers/vault-client.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { systemClock } from '../runtime/clock.ts';
import { clusterConfigured, loadKubeConfig } from './kubeconfig.ts';
import { untilSignalled } from './shutdown.ts';

/** Runs the operator; with --fallback-local-env and no cluster configured, runs `exkey dev` instead. */
export async function runOperatorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: process.env.EXKEY_NAMESPACE ?? process.env.POD_NAMESPACE ?? 'exkey-system' },
      'watch-namespaces': { type: 'string' },
      concurrency: { type: 'string', default: '16' },
      'resync-seconds': { type: 'string', default: '600' },
      'health-port': { type: 'string', default: '8080' },
      'log-level': { type: 'string' },
      'fallback-local-env': { type: 'boolean', default: false },
    },
  });
  if (values['fallback-local-env'] && !clusterConfigured(values.kubeconfig)) {
    console.error('exkey: no cluster configured (no --kubeconfig, $KUBECONFIG, in-cluster config or ~/.kube/config);');
    console.error('exkey: starting the embedded local environment instead (same as `npm run dev`).');
    return (await import('./dev.ts')).runDevCommand([]);
  }
  const logger = createLogger({ ...(values['log-level'] ? { level: values['log-level'] } : {}) });
  const operator = await startOperator({
    kubeconfig: loadKubeConfig(values.kubeconfig),
    namespace: values.namespace,
    ...(values['watch-namespaces'] ? { watchNamespaces: values['watch-namespaces'].split(',').map((s) => s.trim()) } : {}),
    concurrency: Number(values.concurrency),
    resyncMs: Number(values['resync-seconds']) * 1000,
    healthPort: Number(values['health-port']),
    clock: systemClock,
    logger,
    ...(await vaultFromEnv(logger)),
  });
  await untilSignalled(() => operator.stop(), logger);
  return 0;
}

// Vault is optional: configured by VAULT_ADDR and its authentication (docs/encryption.md).
async function vaultFromEnv(logger: Logger): Promise<Pick<OperatorOptions, 'vault' | 'vaultTransitMounts'>> {
  const vault = await vaultClientFromEnv({ clock: systemClock });
  if (!vault) return {};
  const mounts = (process.env.EXKEY_VAULT_TRANSIT_MOUNTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  logger.info({ address: vault.address, transitMounts: mounts.length > 0 ? mounts : 'any' }, 'Vault configured');
  return mounts.length > 0 ? { vault, vaultTransitMounts: mounts } : { vault };
}
