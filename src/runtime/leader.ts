// Lease-based leader election: one replica runs the controllers, the others wait and take over
// within a lease duration of the leader going away (at once when it releases the lease on a
// graceful shutdown). A leader that cannot renew for renewDeadline gives up leadership, so two
// replicas never act as leaders for longer than the lease's clock skew allows.
import type { Logger } from '../observability/logger.ts';
import { leaderStatus } from '../observability/metrics.ts';
import type { Clock } from './clock.ts';
import type { KubeTransport } from './kube/client.ts';
import { isConflict, isAlreadyExists, isNotFound } from './kube/errors.ts';
import { LEASES, collectionPath, objectPath } from './kube/paths.ts';
import { decide, nextRecord, observe, releasedRecord, type LeaseRecord, type Observation } from './lease.ts';

/** Timing, as in controller-runtime (defaults 15 s, 10 s, 2 s). */
export interface LeaseTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** Where the lease lives and who this process is. */
export interface LeaderElectionConfig {
  kube: KubeTransport;
  namespace: string;
  name: string;
  /** Unique per process: pod name plus a random suffix. */
  identity: string;
  timings?: LeaseTimings;
  clock: Clock;
  logger: Logger;
}

/** A running election. */
export interface LeaderElector {
  /** Resolves once this process leads; rejects if release() came first. */
  readonly acquired: Promise<void>;
  /** Resolves if leadership, once held, is lost (renewals failed for renewDeadline). */
  readonly lost: Promise<void>;
  isLeader(): boolean;
  /** Stops campaigning or renewing and, if leading, hands the lease back. */
  release(): Promise<void>;
}

interface Lease {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseRecord;
}

/** Starts campaigning for the lease `namespace/name`. */
export function startLeaderElection(config: LeaderElectionConfig): LeaderElector {
  const timings = config.timings ?? DEFAULT_LEASE_TIMINGS;
  const { clock, logger } = config;
  const stop = new AbortController();
  // A function, not the property: the loops re-check it after every await.
  const stopped = (): boolean => stop.signal.aborted;
  const me = { identity: config.identity, leaseDurationMs: timings.leaseDurationMs };
  const state = { leading: false };
  let seen: Observation | undefined;
  let lastRenewMs = 0;
  let markLost: () => void = () => undefined;
  const lost = new Promise<void>((resolve) => { markLost = resolve; });
  const path = objectPath(LEASES, config.namespace, config.name);

  const read = async (): Promise<Lease | undefined> => {
    try {
      return await config.kube.send<Lease>({ method: 'GET', path });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  // One attempt: true when this process holds the lease afterwards.
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const lease = await read();
    const now = clock.now();
    seen = observe(seen, lease?.spec, now.getTime());
    const action = decide(lease?.spec, me, seen, now.getTime());
    if (action.kind === 'wait') {
      logger.debug({ holder: action.holder, expiresInMs: action.expiresInMs }, 'lease held by another replica');
      return false;
    }
    const spec = nextRecord(action.kind, lease?.spec, me, now);
    try {
      const written = lease
        ? await config.kube.send<Lease>({ method: 'PUT', path, body: { ...lease, spec } })
        : await config.kube.send<Lease>({
            method: 'POST', path: collectionPath(LEASES, config.namespace),
            body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: config.name, namespace: config.namespace }, spec },
          });
      seen = observe(seen, written.spec, now.getTime());
      if (action.kind !== 'renew') logger.info({ lease: `${config.namespace}/${config.name}`, identity: config.identity, transitions: spec.leaseTransitions }, 'became the leader');
      return true;
    } catch (error) {
      // Someone else wrote first: not ours this round.
      if (isConflict(error) || isAlreadyExists(error)) return false;
      throw error;
    }
  };

  const attempt = async (): Promise<boolean> => {
    try {
      return await tryAcquireOrRenew();
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'lease request failed');
      return false;
    }
  };

  const campaign = async (): Promise<void> => {
    while (!stopped()) {
      if (await attempt()) break;
      if (stopped()) break;
      await clock.sleep(timings.retryPeriodMs, stop.signal).catch(() => undefined);
    }
    if (stopped()) throw new Error('leader election stopped before this replica became the leader');
    state.leading = true;
    lastRenewMs = clock.nowMs();
    leaderStatus.set(1);
    void renewLoop();
  };

  const renewLoop = async (): Promise<void> => {
    while (!stopped()) {
      await clock.sleep(timings.retryPeriodMs, stop.signal).catch(() => undefined);
      if (stopped()) return;
      if (await attempt()) {
        lastRenewMs = clock.nowMs();
      } else if (clock.nowMs() - lastRenewMs >= timings.renewDeadlineMs) {
        state.leading = false;
        leaderStatus.set(0);
        logger.error({ lease: `${config.namespace}/${config.name}`, renewDeadlineMs: timings.renewDeadlineMs }, 'lost leadership: the lease could not be renewed');
        markLost();
        return;
      }
    }
  };

  const acquired = campaign();
  acquired.catch(() => undefined); // observed by callers that await it
  leaderStatus.set(0);

  return {
    acquired,
    lost,
    isLeader: () => state.leading,
    async release() {
      stop.abort();
      if (!state.leading) return;
      state.leading = false;
      leaderStatus.set(0);
      try {
        const lease = await read();
        if (lease?.spec?.holderIdentity === config.identity) {
          await config.kube.send({ method: 'PUT', path, body: { ...lease, spec: releasedRecord(lease.spec, clock.now()) } });
          logger.info({ lease: `${config.namespace}/${config.name}` }, 'released the lease');
        }
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not release the lease; a standby takes over when it expires');
      }
    },
  };
}
