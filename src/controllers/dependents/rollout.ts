// Whether a dependent's rollout to a key version is complete. Pure: it reads a workload as last
// read from the API server. Each kind's rule is an ordered list of checks, first hit wins (as
// cert-manager's policy chains); nothing passes as complete on counts the controller has not
// computed for the latest generation.
import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { Workload } from './workloads.ts';

/** not-started: the template lacks the version; progressing: rolling (or stuck); complete: only new pods run. */
export type RolloutState = 'not-started' | 'progressing' | 'complete';

/** Why a rollout is where it is (stable strings for status, Events and metrics). */
export const RolloutReasons = {
  /** The pod template does not carry the key version yet: roll the workload. */
  TemplateNotRolled: 'TemplateNotRolled',
  /** The workload controller has not seen the latest spec; its status counts are stale. */
  GenerationNotObserved: 'GenerationNotObserved',
  /** Fewer replicas run the new template than are wanted. */
  ReplicasNotUpdated: 'ReplicasNotUpdated',
  /** Old replicas (or extra ones) still run, or are still terminating. */
  OldReplicasRunning: 'OldReplicasRunning',
  /** Every replica runs the new template but not all are available/ready. */
  ReplicasNotAvailable: 'ReplicasNotAvailable',
  /** A paused Deployment does not roll until resumed. */
  Paused: 'Paused',
  /** The Deployment controller gave up (Progressing=False, ProgressDeadlineExceeded). */
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  /** updateStrategy OnDelete: pods take the new template only when someone deletes them. */
  OnDeleteStrategy: 'OnDeleteStrategy',
  /** A StatefulSet partition keeps low ordinals on the old template. */
  Partitioned: 'Partitioned',
  RolloutComplete: 'RolloutComplete',
} as const;

export type RolloutReason = (typeof RolloutReasons)[keyof typeof RolloutReasons];

/** Where one workload's rollout to a key version stands, with a message for SREs. */
export interface RolloutStatus {
  state: RolloutState;
  reason: RolloutReason;
  message: string;
}

interface Finding {
  reason: RolloutReason;
  message: string;
}

type Check<T> = (object: T) => Finding | undefined;

const R = RolloutReasons;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function firstFinding<T>(object: T, checks: Check<T>[]): Finding | undefined {
  for (const check of checks) {
    const finding = check(object);
    if (finding) return finding;
  }
  return undefined;
}

function generationCheck(object: { metadata?: { generation?: number }; status?: { observedGeneration?: number } }): Finding | undefined {
  const generation = object.metadata?.generation ?? 0;
  const observed = object.status?.observedGeneration;
  if (observed !== undefined && generation <= observed) return undefined;
  const seen = observed === undefined ? '' : ` (it has seen ${observed})`;
  return { reason: R.GenerationNotObserved, message: `waiting for the controller to observe generation ${generation}${seen}` };
}

// ---- Deployment ----------------------------------------------------------------------------

interface DeploymentCounts {
  desired: number;
  updated: number;
  replicas: number;
  available: number;
  unavailable: number;
  terminating: number;
}

// Counts the API leaves out are zero (it omits zero-valued status fields).
const count = (n: number | undefined): number => n ?? 0;

function deploymentCounts(d: V1Deployment): DeploymentCounts {
  const s = d.status ?? {};
  return {
    desired: d.spec?.replicas ?? 1,
    updated: count(s.updatedReplicas),
    replicas: count(s.replicas),
    available: count(s.availableReplicas),
    unavailable: count(s.unavailableReplicas),
    terminating: count(s.terminatingReplicas),
  };
}

function deploymentDetail(c: DeploymentCounts): string {
  const parts = [`${c.available} available`];
  if (c.unavailable > 0) parts.push(`${c.unavailable} unavailable`);
  if (c.replicas > c.updated) parts.push(`${plural(c.replicas - c.updated, 'old replica')} still running`);
  return parts.join(', ');
}

const deploymentChecks: Check<DeploymentCounts>[] = [
  (c) => (c.updated < c.desired
    ? { reason: R.ReplicasNotUpdated, message: `${c.updated} of ${c.desired} replicas updated; ${deploymentDetail(c)}` }
    : undefined),
  (c) => (c.replicas > c.updated
    ? { reason: R.OldReplicasRunning, message: `all ${c.desired} replicas updated; ${deploymentDetail(c)}` }
    : undefined),
  (c) => (c.updated !== c.desired || c.replicas !== c.desired
    ? { reason: R.OldReplicasRunning, message: `scaling to ${c.desired} replicas: ${c.replicas} running, ${c.updated} updated` }
    : undefined),
  (c) => (c.terminating > 0
    ? { reason: R.OldReplicasRunning, message: `all ${c.desired} replicas updated; ${plural(c.terminating, 'old pod')} still terminating` }
    : undefined),
  (c) => (c.available !== c.desired || c.unavailable > 0
    ? { reason: R.ReplicasNotAvailable, message: `${Math.min(c.available, c.desired)} of ${c.desired} replicas updated and available${c.unavailable > 0 ? `, ${c.unavailable} unavailable` : ''}` }
    : undefined),
];

// A stuck rollout says why the controller will not move it on.
function deploymentBlocker(d: V1Deployment): Finding | undefined {
  if (d.spec?.paused === true) {
    return { reason: R.Paused, message: `Deployment is paused; it rolls once resumed (kubectl rollout resume deployment/${d.metadata?.name ?? ''})` };
  }
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return { reason: R.ProgressDeadlineExceeded, message: 'rollout exceeded its progress deadline' };
  }
  return undefined;
}

function deploymentFinding(d: V1Deployment): Finding | undefined {
  const generation = generationCheck(d);
  if (generation) return generation;
  const c = deploymentCounts(d);
  const finding = firstFinding(c, deploymentChecks);
  if (!finding) return undefined;
  const blocker = deploymentBlocker(d);
  return blocker ? { reason: blocker.reason, message: `${blocker.message}: ${finding.message}` } : finding;
}

// ---- StatefulSet ---------------------------------------------------------------------------

const onDeleteNote = 'update strategy is OnDelete, so pods take the new template only when they are deleted (delete them to roll)';

function statefulSetChecks(s: V1StatefulSet): Check<V1StatefulSet>[] {
  const desired = s.spec?.replicas ?? 1;
  const st = s.status;
  const updated = st?.updatedReplicas ?? 0;
  const ready = st?.readyReplicas ?? 0;
  const replicas = st?.replicas ?? 0;
  return [
    () => (updated !== desired || (st?.updateRevision ?? '') !== (st?.currentRevision ?? '')
      ? { reason: R.ReplicasNotUpdated, message: `${updated} of ${desired} pods updated to revision ${st?.updateRevision ?? '(unknown)'}, ${ready} ready` }
      : undefined),
    () => (replicas !== desired
      ? { reason: R.OldReplicasRunning, message: `scaling to ${desired} pods: ${replicas} exist` }
      : undefined),
    () => (ready !== desired
      ? { reason: R.ReplicasNotAvailable, message: `${ready} of ${desired} pods updated and ready` }
      : undefined),
  ];
}

function statefulSetBlocker(s: V1StatefulSet): Finding | undefined {
  const strategy = s.spec?.updateStrategy;
  if (strategy?.type === 'OnDelete') return { reason: R.OnDeleteStrategy, message: onDeleteNote };
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    return {
      reason: R.Partitioned,
      message: `partition ${partition} keeps pods with ordinals below ${partition} on the old template (set spec.updateStrategy.rollingUpdate.partition to 0 to finish)`,
    };
  }
  return undefined;
}

function statefulSetFinding(s: V1StatefulSet): Finding | undefined {
  const finding = generationCheck(s) ?? firstFinding(s, statefulSetChecks(s));
  if (!finding || finding.reason === R.GenerationNotObserved) return finding;
  const blocker = statefulSetBlocker(s);
  return blocker ? { reason: blocker.reason, message: `${blocker.message}: ${finding.message}` } : finding;
}

// ---- DaemonSet -----------------------------------------------------------------------------

function daemonSetChecks(ds: V1DaemonSet): Check<V1DaemonSet>[] {
  const st = ds.status;
  const desired = st?.desiredNumberScheduled ?? 0;
  const updated = st?.updatedNumberScheduled ?? 0;
  const available = st?.numberAvailable ?? 0;
  const unavailable = st?.numberUnavailable ?? 0;
  return [
    () => (updated !== desired
      ? { reason: R.ReplicasNotUpdated, message: `${updated} of ${desired} nodes run the updated pod, ${available} available` }
      : undefined),
    () => (available !== desired || unavailable > 0
      ? { reason: R.ReplicasNotAvailable, message: `${available} of ${desired} updated pods available${unavailable > 0 ? `, ${unavailable} unavailable` : ''}` }
      : undefined),
  ];
}

function daemonSetFinding(ds: V1DaemonSet): Finding | undefined {
  const finding = generationCheck(ds) ?? firstFinding(ds, daemonSetChecks(ds));
  if (!finding || finding.reason === R.GenerationNotObserved) return finding;
  return ds.spec?.updateStrategy?.type === 'OnDelete'
    ? { reason: R.OnDeleteStrategy, message: `${onDeleteNote}: ${finding.message}` }
    : finding;
}

// ---- entry points --------------------------------------------------------------------------

function templateAnnotation(workload: Workload, annotationKey: string): string | undefined {
  return workload.object.spec?.template.metadata?.annotations?.[annotationKey];
}

function kindFinding(workload: Workload): Finding | undefined {
  switch (workload.kind) {
    case 'Deployment':
      return deploymentFinding(workload.object);
    case 'StatefulSet':
      return statefulSetFinding(workload.object);
    case 'DaemonSet':
      return daemonSetFinding(workload.object);
  }
}

function completeMessage(workload: Workload): string {
  switch (workload.kind) {
    case 'Deployment':
      return `all ${plural(workload.object.spec?.replicas ?? 1, 'replica')} updated and available`;
    case 'StatefulSet':
      return `all ${plural(workload.object.spec?.replicas ?? 1, 'pod')} updated and ready`;
    case 'DaemonSet':
      return `updated pods available on all ${plural(workload.object.status?.desiredNumberScheduled ?? 0, 'node')}`;
  }
}

/**
 * Where `workload`'s rollout to key `version` stands. not-started: the pod template's
 * `annotationKey` is not String(version). complete: the controller observed the latest generation
 * and every pod it runs is of the new template and available, with no old pod left:
 * - Deployment: updatedReplicas = replicas = availableReplicas = spec.replicas (default 1), no
 *   unavailable and no terminating replicas;
 * - StatefulSet: updateRevision = currentRevision, updatedReplicas = replicas = readyReplicas =
 *   spec.replicas (default 1);
 * - DaemonSet: updatedNumberScheduled = numberAvailable = desiredNumberScheduled, numberUnavailable 0.
 * Otherwise progressing, with a message that says what it waits for (and why it may never move:
 * paused, progress deadline exceeded, OnDelete, partition).
 */
export function rolloutStatus(workload: Workload, annotationKey: string, version: number): RolloutStatus {
  const want = String(version);
  const has = templateAnnotation(workload, annotationKey);
  if (has !== want) {
    const now = has === undefined ? `${annotationKey} is not set` : `it has ${has}`;
    return { state: 'not-started', reason: R.TemplateNotRolled, message: `pod template does not carry key version ${want} yet (${now})` };
  }
  const finding = kindFinding(workload);
  if (finding) return { state: 'progressing', ...finding };
  return { state: 'complete', reason: R.RolloutComplete, message: completeMessage(workload) };
}

/** True when `workload` runs only pods of key `version` (see rolloutStatus). */
export function rolloutComplete(workload: Workload, annotationKey: string, version: number): boolean {
  return rolloutStatus(workload, annotationKey, version).state === 'complete';
}
