// Turns whatever a step threw into a Failure for status, or says to start over (conflicts).
import { isEnvelopeError } from '../../crypto/index.ts';
import { ExchangeError } from '../../exchanges/types.ts';
import { KubeApiError, isConflict } from '../../runtime/kube/errors.ts';
import { KvMirrorError } from '../mirror/vault-kv.ts';
import type { Failure } from './observed.ts';
import {
  REASON_ENCRYPTION_FAILED,
  REASON_EXCHANGE_REFUSED,
  REASON_EXCHANGE_UNAVAILABLE,
  REASON_KUBERNETES_ERROR,
  REASON_MIRROR_FAILED,
} from './reasons.ts';

/** What to do with a step's error. */
export type ErrorOutcome = { kind: 'restart' } | { kind: 'fail'; failure: Failure } | { kind: 'bug'; error: Error };

/** Classifies a step error (pure). */
export function classifyError(err: unknown): ErrorOutcome {
  if (isConflict(err)) return { kind: 'restart' };
  if (err instanceof ExchangeError) {
    const reason = err.retryable ? REASON_EXCHANGE_UNAVAILABLE : REASON_EXCHANGE_REFUSED;
    const failure: Failure = { reason, message: `${err.venue} error ${err.code}: ${err.message}`, retryable: true };
    if (err.retryAfterMs !== undefined) failure.retryAfterMs = err.retryAfterMs;
    return { kind: 'fail', failure };
  }
  if (isEnvelopeError(err)) {
    return { kind: 'fail', failure: { reason: REASON_ENCRYPTION_FAILED, message: err.message, retryable: true } };
  }
  if (err instanceof KvMirrorError) {
    return { kind: 'fail', failure: { reason: REASON_MIRROR_FAILED, message: err.message, retryable: true } };
  }
  if (err instanceof KubeApiError) {
    return { kind: 'fail', failure: { reason: REASON_KUBERNETES_ERROR, message: err.message, retryable: true } };
  }
  return { kind: 'bug', error: err instanceof Error ? err : new Error(String(err)) };
}
