// `exkey operator`: runs the controllers until SIGTERM.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
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
      'exchange-pacing': { type: 'string', default: 'on' },
      'leader-elect': { type: 'boolean', default: false },
      'leader-election-id': { type: 'string', default: 'exkey-operator' },
      'lease-duration-seconds': { type: 'string', default: '15' },
      'renew-deadline-seconds': { type: 'string', default: '10' },
      'retry-period-seconds': { type: 'string', default: '2' },
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
    exchangePacing: values['exchange-pacing'] !== 'off',
    ...(await vaultFromEnv(logger)),
    ...(values['leader-elect'] ? { leaderElection: leaderElection(values) } : {}),
  });
  // Losing the lease means another replica may already act: stop at once, like controller-runtime.
  const lost = operator.lost.then(async () => {
    logger.error('leadership lost: exiting so that only the new leader acts');
    await operator.stop();
    return 1;
  });
  return Promise.race([untilSignalled(() => operator.stop(), logger).then(() => 0), lost]);
}

// Vault is optional: configured by VAULT_ADDR and its authentication (docs/encryption.md).
async function vaultFromEnv(logger: Logger): Promise<Pick<OperatorOptions, 'vault' | 'vaultTransitMounts'>> {
  const vault = await vaultClientFromEnv({ clock: systemClock });
  if (!vault) return {};
  const mounts = (process.env.EXKEY_VAULT_TRANSIT_MOUNTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  logger.info({ address: vault.address, transitMounts: mounts.length > 0 ? mounts : 'any' }, 'Vault configured');
  return mounts.length > 0 ? { vault, vaultTransitMounts: mounts } : { vault };
}

// Identity: the pod's name (downward API POD_NAME) or the host name, plus a random suffix so a
// restarted process never mistakes the old lease for its own.
function leaderElection(values: Record<string, string | boolean | undefined>): NonNullable<OperatorOptions['leaderElection']> {
  const seconds = (name: string): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value * 1000;
  };
  const timings = { leaseDurationMs: seconds('lease-duration-seconds'), renewDeadlineMs: seconds('renew-deadline-seconds'), retryPeriodMs: seconds('retry-period-seconds') };
  if (!(timings.retryPeriodMs < timings.renewDeadlineMs && timings.renewDeadlineMs < timings.leaseDurationMs)) {
    throw new Error('leader election needs retry period < renew deadline < lease duration');
  }
  const identity = `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
  return { name: String(values['leader-election-id']), identity, timings };
}
