// reconcile(key): gather, then plan → execute one step → plan again, until the plan is Done.
// Level-based: every call starts from a fresh read, so it can be retried or interrupted at any
// point (a crash between two steps resumes from the phase recorded in status).
import type { Logger } from '../../observability/logger.ts';
import { emit, type Deps, type Scratch } from './deps.ts';
import { classifyError } from './errors.ts';
import * as dependents from './dependent-steps.ts';
import * as drift from './drift-steps.ts';
import * as exchange from './exchange-steps.ts';
import { gather, type CacheHints } from './gather.ts';
import * as kube from './kube-steps.ts';
import * as manual from './manual-steps.ts';
import type { Failure, Observed } from './observed.ts';
import { plan, type Step } from './plan.ts';

const MAX_STEPS = 40;
const MAX_RESTARTS = 5;

/** A reconcile that ended with a failure reported in status; the work queue retries it with backoff. */
export class ReconcileFailure extends Error {
  readonly failure: Failure;
  /** Read by the work queue: a venue's rate-limit reset is a floor under the per-key backoff. */
  readonly retryAfterMs: number | undefined;

  constructor(failure: Failure) {
    super(`${failure.reason}: ${failure.message}`);
    this.name = 'ReconcileFailure';
    this.failure = failure;
    this.retryAfterMs = failure.retryAfterMs;
  }
}

/** Drives one ExchangeKey as far as it can go now; returns when to look again (rotation timers). */
export async function reconcile(namespace: string, name: string, deps: Deps, hints: CacheHints): Promise<{ requeueAfterMs?: number }> {
  const log = deps.log.child({ key: `${namespace}/${name}` });
  const scratch: Scratch = {};
  let observed = await gather(namespace, name, deps, hints);
  let restarts = 0;
  for (let steps = 0; observed && steps < MAX_STEPS; steps++) {
    const step = plan(observed, deps.clock.now());
    if (step.kind === 'Done') {
      log.debug({ steps, generation: observed.key.metadata.generation, requeueAfterMs: step.requeueAfterMs }, 'reconciled');
      finish(step.failure, observed, deps, log);
      return step.requeueAfterMs === undefined ? {} : { requeueAfterMs: step.requeueAfterMs };
    }
    const result = await runStep(step, observed, { deps, scratch, log });
    if (result.kind === 'next') {
      observed = result.observed;
    } else if (restarts++ < MAX_RESTARTS) {
      // Someone else changed the object since we read it: start over from a fresh read.
      observed = await gather(namespace, name, deps, hints);
    } else {
      observed = { ...observed, failure: { reason: 'Conflict', message: 'the object kept changing under exkey', retryable: true } };
    }
  }
  if (observed) throw new Error(`reconcile of ${namespace}/${name} did not converge in ${MAX_STEPS} steps`);
  return {};
}

type StepResult = { kind: 'next'; observed: Observed } | { kind: 'restart' };

/** Executes one step; a failure becomes part of the observation so status can report it. */
async function runStep(step: Step, o: Observed, ctx: { deps: Deps; scratch: Scratch; log: Logger }): Promise<StepResult> {
  const { deps, log } = ctx;
  const phase = phaseOf(step, o);
  log.debug({ step: step.kind, phase, version: o.key.status?.rotation?.version, generation: o.key.metadata.generation }, 'step');
  deps.failpoints?.check('before', step.kind, phase);
  try {
    const observed = await execute(step, o, deps, ctx.scratch);
    deps.failpoints?.check('after', step.kind, phase);
    return { kind: 'next', observed };
  } catch (err) {
    const outcome = classifyError(err);
    if (outcome.kind === 'bug') throw outcome.error;
    if (outcome.kind === 'restart') return { kind: 'restart' };
    log.warn({ step: step.kind, phase, reason: outcome.failure.reason, message: outcome.failure.message }, 'step failed');
    return { kind: 'next', observed: { ...o, failure: outcome.failure } };
  }
}

/** The rotation phase a step belongs to: for a status write, the phase it records. */
function phaseOf(step: Step, o: Observed): string | undefined {
  return step.kind === 'WriteStatus' ? step.status.rotation?.phase : o.key.status?.rotation?.phase;
}

function finish(failure: Failure | undefined, o: Observed, deps: Deps, log: Logger): void {
  if (!failure) return;
  emit(deps, o.key, { type: 'Warning', reason: failure.reason, message: failure.message });
  log.info({ reason: failure.reason, retryable: failure.retryable }, 'reconcile ended with a reported failure');
  throw new ReconcileFailure(failure);
}

type Handler<K extends Step['kind']> = (step: Extract<Step, { kind: K }>, o: Observed, deps: Deps, scratch: Scratch) => Promise<Observed>;

/** One executor per step kind; the mapped type makes a missing kind a compile error. */
const HANDLERS: { [K in Step['kind']]: Handler<K> } = {
  WriteStatus: (step, o, deps) => kube.writeStatus(step, o, deps),
  AddFinalizer: (_step, o, deps) => kube.addFinalizer(o, deps),
  RemoveFinalizer: (step, o, deps) => kube.removeFinalizer(step, o, deps),
  LoadMaster: (_step, o, deps, scratch) => kube.loadMaster(o, deps, scratch),
  LoadPending: (_step, o, deps, scratch) => kube.loadPending(o, deps, scratch),
  DeletePending: (_step, o, deps, scratch) => kube.deletePending(o, deps, scratch),
  Publish: (step, o, deps, scratch) => kube.publish(step, o, deps, scratch),
  SweepOrphans: (_step, o, deps, scratch) => exchange.sweepOrphans(o, deps, scratch),
  Register: (step, o, deps, scratch) => exchange.register(step, o, deps, scratch),
  Validate: (step, o, deps, scratch) => exchange.validate(step, o, deps, scratch),
  RevokePending: (_step, o, deps, scratch) => exchange.revokePending(o, deps, scratch),
  RevokeAll: (_step, o, deps, scratch) => exchange.revokeAll(o, deps, scratch),
  LoadDependents: (_step, o, deps) => dependents.loadDependents(o, deps),
  StartRollouts: (step, o, deps) => dependents.startRollouts(step, o, deps),
  RollWorkloads: (step, o, deps) => dependents.rollWorkloads(step, o, deps),
  RevokeOld: (_step, o, deps, scratch) => exchange.revokeOld(o, deps, scratch),
  DropPrevious: (_step, o, deps) => kube.dropPrevious(o, deps),
  VerifyPublished: (_step, o, deps) => kube.verifyPublished(o, deps),
  Revalidate: (step, o, deps, scratch) => drift.revalidate(step, o, deps, scratch),
  TakeHandoff: (step, o, deps, scratch) => manual.takeHandoff(step, o, deps, scratch),
  ProbeOld: (_step, o, deps) => manual.probeOld(o, deps),
  ProbeAll: (_step, o, deps, scratch) => manual.probeAll(o, deps, scratch),
  Done: (_step, o) => Promise.resolve(o),
};

/** Executes one step and returns what is observed afterwards. */
export function execute(step: Step, o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const handler = HANDLERS[step.kind] as Handler<Step['kind']>;
  return handler(step, o, deps, scratch);
}
