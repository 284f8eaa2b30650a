// Work-queue and reconcile metrics, fed through the queue's observer hooks (the runtime imports no
// metrics library): depth, adds, retries, time waiting, and reconcile duration by outcome.
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Outcome, WorkQueueObserver } from '../runtime/workqueue.ts';

const SECONDS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Keys waiting in each work queue. */
export const queueDepth = new Gauge({
  name: 'exkey_workqueue_depth',
  help: 'Keys waiting to be reconciled, by queue.',
  labelNames: ['queue'] as const,
});

/** Keys entering each queue (de-duplicated adds are not counted). */
export const queueAdds = new Counter({
  name: 'exkey_workqueue_adds_total',
  help: 'Keys added to a work queue, by queue.',
  labelNames: ['queue'] as const,
});

/** Rate-limited retries scheduled after a failed reconcile. */
export const queueRetries = new Counter({
  name: 'exkey_workqueue_retries_total',
  help: 'Reconciles scheduled again with backoff after a failure, by queue.',
  labelNames: ['queue'] as const,
});

/** Time from a key being queued to its reconcile starting. */
export const queueWait = new Histogram({
  name: 'exkey_workqueue_queue_duration_seconds',
  help: 'Time a key waited in the work queue before its reconcile started, by queue.',
  labelNames: ['queue'] as const,
  buckets: SECONDS,
});

/** One reconcile's duration and how it ended (success, requeue, retry after an error, terminal error). */
export const reconcileDuration = new Histogram({
  name: 'exkey_reconcile_duration_seconds',
  help: 'Time one reconcile took, by controller and outcome (success, requeue, retry, terminal).',
  labelNames: ['controller', 'outcome'] as const,
  buckets: SECONDS,
});

/** Reconciles that ended in an error (retried with backoff, or terminal). */
export const reconcileErrors = new Counter({
  name: 'exkey_reconcile_errors_total',
  help: 'Reconciles that ended with an error, by controller.',
  labelNames: ['controller'] as const,
});

const FAILED: ReadonlySet<Outcome> = new Set(['retry', 'terminal']);

/** An observer recording the queue `name`'s metrics. */
export function queueMetrics(name: string): WorkQueueObserver<string> {
  return {
    depth: (depth) => { queueDepth.set({ queue: name }, depth); },
    added: () => { queueAdds.inc({ queue: name }); },
    retried: () => { queueRetries.inc({ queue: name }); },
    waited: (_key, ms) => { queueWait.observe({ queue: name }, ms / 1000); },
    worked: (_key, ms, outcome) => {
      reconcileDuration.observe({ controller: name, outcome }, ms / 1000);
      if (FAILED.has(outcome)) reconcileErrors.inc({ controller: name });
    },
  };
}
