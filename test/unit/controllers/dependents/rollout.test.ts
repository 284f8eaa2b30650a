// rolloutStatus: when a dependent's rollout to a key version is complete, one row per situation.
import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { RolloutReasons as R, rolloutComplete, rolloutStatus, type RolloutStatus } from '../../../../src/controllers/dependents/rollout.ts';
import type { Workload } from '../../../../src/controllers/dependents/workloads.ts';

const KEY = 'key-version.exkey.io/bybit-mm';
const VERSION = 2;

interface Shape {
  generation?: number;
  annotation?: string | null;
}

function template(annotation: string | null | undefined): { metadata: { annotations?: Record<string, string> }; spec: { containers: [] } } {
  const value = annotation === undefined ? String(VERSION) : annotation;
  return { metadata: value === null ? {} : { annotations: { [KEY]: value, 'other.example/x': 'y' } }, spec: { containers: [] } };
}

function deployment(spec: Partial<V1Deployment['spec']> & Shape, status: V1Deployment['status']): Workload {
  const { generation = 5, annotation, ...rest } = spec;
  const object = {
    metadata: { name: 'mm', generation },
    spec: { selector: {}, template: template(annotation), ...rest },
    status,
  } as V1Deployment;
  return { kind: 'Deployment', name: 'mm', object };
}

function statefulSet(spec: Partial<V1StatefulSet['spec']> & Shape, status: Partial<V1StatefulSet['status']>): Workload {
  const { generation = 5, annotation, ...rest } = spec;
  const object = {
    metadata: { name: 'db', generation },
    spec: { selector: {}, serviceName: 'db', template: template(annotation), ...rest },
    status: { replicas: 0, ...status },
  } as V1StatefulSet;
  return { kind: 'StatefulSet', name: 'db', object };
}

function daemonSet(spec: Partial<V1DaemonSet['spec']> & Shape, status: Partial<V1DaemonSet['status']>): Workload {
  const { generation = 5, annotation, ...rest } = spec;
  const object = {
    metadata: { name: 'agent', generation },
    spec: { selector: {}, template: template(annotation), ...rest },
    status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, ...status },
  } as V1DaemonSet;
  return { kind: 'DaemonSet', name: 'agent', object };
}

const rolledDeployment = { observedGeneration: 5, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };
const deadline = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "mm-2" has timed out progressing.' };

interface Row {
  name: string;
  workload: Workload;
  state: RolloutStatus['state'];
  reason: string;
  /** Substrings the SRE-facing message must contain. */
  says: string[];
}

const rows: Row[] = [
  // ---- every kind: the template
  {
    name: 'should be not-started when the pod template has no key-version annotation',
    workload: deployment({ replicas: 3, annotation: null }, rolledDeployment),
    state: 'not-started', reason: R.TemplateNotRolled, says: ['does not carry key version 2', `${KEY} is not set`],
  },
  {
    name: 'should be not-started when the pod template carries the previous version, however healthy the workload',
    workload: deployment({ replicas: 3, annotation: '1' }, rolledDeployment),
    state: 'not-started', reason: R.TemplateNotRolled, says: ['does not carry key version 2 yet (it has 1)'],
  },
  {
    name: 'should be not-started for a StatefulSet whose template carries another version',
    workload: statefulSet({ replicas: 1, annotation: '3' }, { observedGeneration: 5, replicas: 1, updatedReplicas: 1, readyReplicas: 1 }),
    state: 'not-started', reason: R.TemplateNotRolled, says: ['it has 3'],
  },
  {
    name: 'should be not-started for a DaemonSet without the annotation',
    workload: daemonSet({ annotation: null }, { observedGeneration: 5 }),
    state: 'not-started', reason: R.TemplateNotRolled, says: ['is not set'],
  },
  // ---- Deployment
  {
    name: 'should be complete when a Deployment has every replica updated and available on the observed generation',
    workload: deployment({ replicas: 3 }, rolledDeployment),
    state: 'complete', reason: R.RolloutComplete, says: ['all 3 replicas updated and available'],
  },
  {
    name: 'should default a Deployment to 1 replica when spec.replicas is unset',
    workload: deployment({}, { observedGeneration: 5, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
    state: 'complete', reason: R.RolloutComplete, says: ['all 1 replica updated'],
  },
  {
    name: 'should be complete for a Deployment scaled to zero once the controller observed it',
    workload: deployment({ replicas: 0 }, { observedGeneration: 5 }),
    state: 'complete', reason: R.RolloutComplete, says: ['all 0 replicas'],
  },
  {
    name: 'should be progressing when the Deployment controller has not observed the new generation (counts are stale)',
    workload: deployment({ replicas: 3, generation: 6 }, rolledDeployment),
    state: 'progressing', reason: R.GenerationNotObserved, says: ['waiting for the controller to observe generation 6 (it has seen 5)'],
  },
  {
    name: 'should be progressing when the Deployment has no status yet',
    workload: deployment({ replicas: 3, generation: 1 }, undefined),
    state: 'progressing', reason: R.GenerationNotObserved, says: ['observe generation 1'],
  },
  {
    name: 'should be progressing while a surge pod is up and all old replicas are still available',
    workload: deployment({ replicas: 3 }, { observedGeneration: 5, replicas: 4, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 1 }),
    state: 'progressing', reason: R.ReplicasNotUpdated, says: ['1 of 3 replicas updated', '3 available', '1 unavailable', '3 old replicas still running'],
  },
  {
    name: 'should be progressing when every replica is updated but an old one has not been scaled down yet',
    workload: deployment({ replicas: 3 }, { observedGeneration: 5, replicas: 4, updatedReplicas: 3, availableReplicas: 4 }),
    state: 'progressing', reason: R.OldReplicasRunning, says: ['all 3 replicas updated', '1 old replica still running'],
  },
  {
    name: 'should be progressing when all replicas are updated but one is unavailable',
    workload: deployment({ replicas: 3 }, { observedGeneration: 5, replicas: 3, updatedReplicas: 3, availableReplicas: 2, unavailableReplicas: 1 }),
    state: 'progressing', reason: R.ReplicasNotAvailable, says: ['2 of 3 replicas updated and available', '1 unavailable'],
  },
  {
    name: 'should be progressing while old pods of a Deployment are still terminating',
    workload: deployment({ replicas: 3 }, { ...rolledDeployment, terminatingReplicas: 2 }),
    state: 'progressing', reason: R.OldReplicasRunning, says: ['2 old pods still terminating'],
  },
  {
    name: 'should be progressing while a Deployment scales down after the rollout',
    workload: deployment({ replicas: 2 }, { observedGeneration: 5, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
    state: 'progressing', reason: R.OldReplicasRunning, says: ['scaling to 2 replicas: 3 running, 3 updated'],
  },
  {
    name: 'should say the Deployment is paused when it has not rolled',
    workload: deployment({ replicas: 3, paused: true }, { observedGeneration: 5, replicas: 3, updatedReplicas: 0, availableReplicas: 3 }),
    state: 'progressing', reason: R.Paused, says: ['Deployment is paused', 'kubectl rollout resume deployment/mm', '0 of 3 replicas updated'],
  },
  {
    name: 'should be complete for a paused Deployment that had already rolled',
    workload: deployment({ replicas: 3, paused: true }, rolledDeployment),
    state: 'complete', reason: R.RolloutComplete, says: ['all 3 replicas'],
  },
  {
    name: 'should say the progress deadline passed when the Deployment controller gave up',
    workload: deployment({ replicas: 3 }, { observedGeneration: 5, replicas: 4, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 1, conditions: [deadline] }),
    state: 'progressing', reason: R.ProgressDeadlineExceeded, says: ['exceeded its progress deadline', '1 of 3 replicas updated'],
  },
  {
    name: 'should be complete despite a stale deadline condition when the counts say every replica rolled',
    workload: deployment({ replicas: 3 }, { ...rolledDeployment, conditions: [deadline] }),
    state: 'complete', reason: R.RolloutComplete, says: ['all 3 replicas'],
  },
  // ---- StatefulSet
  {
    name: 'should be complete when a StatefulSet has every pod on the update revision and ready',
    workload: statefulSet({ replicas: 3 }, { observedGeneration: 5, replicas: 3, updatedReplicas: 3, readyReplicas: 3, currentRevision: 'db-2', updateRevision: 'db-2' }),
    state: 'complete', reason: R.RolloutComplete, says: ['all 3 pods updated and ready'],
  },
  {
    name: 'should be progressing while a StatefulSet rolls pod by pod',
    workload: statefulSet({ replicas: 3 }, { observedGeneration: 5, replicas: 3, updatedReplicas: 1, readyReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-2' }),
    state: 'progressing', reason: R.ReplicasNotUpdated, says: ['1 of 3 pods updated to revision db-2', '2 ready'],
  },
  {
    name: 'should be progressing when StatefulSet pods are updated but the current revision has not caught up',
    workload: statefulSet({ replicas: 3 }, { observedGeneration: 5, replicas: 3, updatedReplicas: 3, readyReplicas: 3, currentRevision: 'db-1', updateRevision: 'db-2' }),
    state: 'progressing', reason: R.ReplicasNotUpdated, says: ['3 of 3 pods updated'],
  },
  {
    name: 'should be progressing when the last updated StatefulSet pod is not ready',
    workload: statefulSet({ replicas: 3 }, { observedGeneration: 5, replicas: 3, updatedReplicas: 3, readyReplicas: 2, currentRevision: 'db-2', updateRevision: 'db-2' }),
    state: 'progressing', reason: R.ReplicasNotAvailable, says: ['2 of 3 pods updated and ready'],
  },
  {
    name: 'should be progressing when the StatefulSet controller has not observed the new generation',
    workload: statefulSet({ replicas: 3, generation: 7 }, { observedGeneration: 6, replicas: 3, updatedReplicas: 3, readyReplicas: 3, currentRevision: 'db-1', updateRevision: 'db-1' }),
    state: 'progressing', reason: R.GenerationNotObserved, says: ['observe generation 7'],
  },
  {
    name: 'should never be complete while a partition keeps low ordinals on the old template, and say how to finish',
    workload: statefulSet(
      { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
      { observedGeneration: 5, replicas: 3, updatedReplicas: 1, readyReplicas: 3, currentRevision: 'db-1', updateRevision: 'db-2' },
    ),
    state: 'progressing', reason: R.Partitioned, says: ['partition 2 keeps pods with ordinals below 2 on the old template', 'partition to 0', '1 of 3 pods updated'],
  },
  {
    name: 'should say that an OnDelete StatefulSet never rolls by itself',
    workload: statefulSet(
      { replicas: 2, updateStrategy: { type: 'OnDelete' } },
      { observedGeneration: 5, replicas: 2, updatedReplicas: 0, readyReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-2' },
    ),
    state: 'progressing', reason: R.OnDeleteStrategy, says: ['OnDelete', 'only when they are deleted', '0 of 2 pods updated'],
  },
  {
    name: 'should be complete for an OnDelete StatefulSet once its pods were deleted and replaced',
    workload: statefulSet(
      { replicas: 2, updateStrategy: { type: 'OnDelete' } },
      { observedGeneration: 5, replicas: 2, updatedReplicas: 2, readyReplicas: 2, currentRevision: 'db-2', updateRevision: 'db-2' },
    ),
    state: 'complete', reason: R.RolloutComplete, says: ['all 2 pods'],
  },
  {
    name: 'should be progressing while a StatefulSet still has an extra pod',
    workload: statefulSet({ replicas: 2 }, { observedGeneration: 5, replicas: 3, updatedReplicas: 2, readyReplicas: 2, currentRevision: 'db-2', updateRevision: 'db-2' }),
    state: 'progressing', reason: R.OldReplicasRunning, says: ['scaling to 2 pods: 3 exist'],
  },
  // ---- DaemonSet
  {
    name: 'should be complete when a DaemonSet runs an available updated pod on every node',
    workload: daemonSet({}, { observedGeneration: 5, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberReady: 2 }),
    state: 'complete', reason: R.RolloutComplete, says: ['all 2 nodes'],
  },
  {
    name: 'should be progressing while a DaemonSet has updated only some nodes',
    workload: daemonSet({}, { observedGeneration: 5, desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 1 }),
    state: 'progressing', reason: R.ReplicasNotUpdated, says: ['1 of 2 nodes run the updated pod', '1 available'],
  },
  {
    name: 'should be progressing when every DaemonSet pod is updated but one is unavailable',
    workload: daemonSet({}, { observedGeneration: 5, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1, numberUnavailable: 1 }),
    state: 'progressing', reason: R.ReplicasNotAvailable, says: ['1 of 2 updated pods available, 1 unavailable'],
  },
  {
    name: 'should be progressing when the DaemonSet controller has not observed the new generation',
    workload: daemonSet({ generation: 6 }, { observedGeneration: 5, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }),
    state: 'progressing', reason: R.GenerationNotObserved, says: ['observe generation 6'],
  },
  {
    name: 'should say that an OnDelete DaemonSet never rolls by itself',
    workload: daemonSet({ updateStrategy: { type: 'OnDelete' } }, { observedGeneration: 5, desiredNumberScheduled: 2, updatedNumberScheduled: 0, numberAvailable: 2 }),
    state: 'progressing', reason: R.OnDeleteStrategy, says: ['OnDelete', '0 of 2 nodes'],
  },
];

describe('rolloutStatus', () => {
  it.each(rows)('$name', ({ workload, state, reason, says }) => {
    const status = rolloutStatus(workload, KEY, VERSION);
    expect({ state: status.state, reason: status.reason }).toEqual({ state, reason });
    for (const text of says) expect(status.message).toContain(text);
    expect(rolloutComplete(workload, KEY, VERSION)).toBe(state === 'complete');
  });

  it('should judge each key by its own annotation when a workload depends on several keys', () => {
    const workload = deployment({ replicas: 3 }, rolledDeployment);
    expect(rolloutStatus(workload, 'key-version.exkey.io/other-key', VERSION).state).toBe('not-started');
    expect(rolloutStatus(workload, KEY, VERSION).state).toBe('complete');
  });
});
