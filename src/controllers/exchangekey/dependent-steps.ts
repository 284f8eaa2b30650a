// Steps that roll dependent workloads. Each rollout is recorded in status (state Rolling, with
// its start time) before the workload is patched, so a restart re-patches what it recorded
// (the patch is idempotent) and never loses track of a rollout's deadline.
import { dependentsRolled } from '../../observability/rotation-metrics.ts';
import { keyVersionAnnotation } from '../dependents/annotation.ts';
import { rolloutStatus } from '../dependents/rollout.ts';
import { emit, type Deps } from './deps.ts';
import type { DependentObservation, Observed } from './observed.ts';
import type { Step } from './plan.ts';
import { EVENT_ROLLING } from './reasons.ts';
import { maxConcurrent, slotsHeld } from './rollout-state.ts';
import { throttleScopeOf } from './spec.ts';

type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;

const refKey = (d: { kind: string; name: string }): string => `${d.kind}/${d.name}`;
const selfOf = (o: Observed): string => `${o.key.metadata.namespace}/${o.key.metadata.name}`;

/** Reads every dependent workload and judges its rollout against the rotation's version. */
export async function loadDependents(o: Observed, deps: Deps): Promise<Observed> {
  const version = o.key.status?.rotation?.version ?? 0;
  const annotation = keyVersionAnnotation(o.key.metadata.name);
  const { workloads, missing } = await deps.workloads(o.key.metadata.namespace, o.key.spec.dependents ?? []);
  for (const ref of missing) {
    emit(deps, o.key, { type: 'Warning', reason: 'DependentNotFound', message: `${refKey(ref)} is listed in spec.dependents but does not exist; nothing to roll there` });
  }
  const dependents = await Promise.all(workloads.map(async (w): Promise<DependentObservation> => {
    const status = rolloutStatus(w, annotation, version);
    if (status.state !== 'complete') return { kind: w.kind, name: w.name, rollout: status.state, message: status.message };
    // The workload says done; its pods must agree before the old key may go.
    const stale = await deps.stalePods(o.key.metadata.namespace, w, { annotationKey: annotation, version });
    return stale === 0
      ? { kind: w.kind, name: w.name, rollout: 'complete', message: status.message }
      : { kind: w.kind, name: w.name, rollout: 'progressing', message: `${stale} pod(s) still run with an older key version` };
  }));
  return { ...o, dependents };
}

/** Takes rollout slots, records the rollouts in status, then patches the workloads. */
export async function startRollouts(step: StepOf<'StartRollouts'>, o: Observed, deps: Deps): Promise<Observed> {
  const status = o.key.status ?? {};
  const rotation = status.rotation;
  if (!rotation) return o;
  const scope = throttleScopeOf(o.key);
  const granted = deps.throttle.acquire(scope, selfOf(o), { wanted: step.refs.length, limit: maxConcurrent(o), ownHeld: slotsHeld(rotation.dependents) });
  if (granted === 0) return { ...o, rolloutSlots: 0 };
  const chosen = new Set(step.refs.slice(0, granted).map(refKey));
  const startedAt = deps.clock.now().toISOString();
  const dependents = (rotation.dependents ?? []).map((d) =>
    chosen.has(refKey(d)) ? { kind: d.kind, name: d.name, state: 'Rolling' as const, startedAt } : d,
  );
  const key = await deps.keys.replaceStatus(o.key, { ...status, rotation: { ...rotation, dependents } });
  deps.throttle.set(scope, selfOf(o), slotsHeld(dependents));
  // Crash tests: the rollout is recorded but the workload not yet patched.
  deps.failpoints?.check('after', 'RolloutRecorded', 'RollingOut');
  const rolled = { ...o, key, rolloutSlots: Math.max(0, o.rolloutSlots - granted) };
  return rollWorkloads({ kind: 'RollWorkloads', refs: step.refs.slice(0, granted) }, rolled, deps);
}

/** Sets the key-version annotation on the workloads' pod templates (idempotent). */
export async function rollWorkloads(step: StepOf<'RollWorkloads'>, o: Observed, deps: Deps): Promise<Observed> {
  const version = o.key.status?.rotation?.version ?? 0;
  const annotation = keyVersionAnnotation(o.key.metadata.name);
  for (const ref of step.refs) {
    await deps.rollWorkload(o.key.metadata.namespace, ref, { annotationKey: annotation, version });
    dependentsRolled.inc({ kind: ref.kind });
  }
  emit(deps, o.key, { type: 'Normal', reason: EVENT_ROLLING, message: `rolling ${step.refs.map(refKey).join(', ')} to key version ${version}` });
  const patched = new Set(step.refs.map(refKey));
  const dependents = (o.dependents ?? []).map((d) =>
    patched.has(refKey(d)) && d.rollout === 'not-started' ? { ...d, rollout: 'progressing' as const, message: 'rollout started' } : d,
  );
  return { ...o, dependents };
}
