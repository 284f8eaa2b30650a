// What the ExchangeKey controller knows when it plans: the object, facts loaded on demand, and
// the outcomes of steps already executed in this reconcile. No secret material lives here, so
// planning code (and anything that logs an Observed) can never leak a key.
import type { ExchangeKey, RotationPolicySpec } from '../../api/v1alpha1/index.ts';
import type { KeyInfo } from '../../exchanges/types.ts';

/** The published Secret as far as planning needs it (metadata only). */
export type PublishedState =
  | { kind: 'absent' }
  | { kind: 'conflict'; message: string }
  | { kind: 'present'; version: number; hasPrevious: boolean; resourceVersion?: string; encrypted?: boolean }
  /** Changed by someone else and its envelopes no longer open as this key's. */
  | { kind: 'tampered'; version: number; message: string };

/** The RotationPolicy named by spec.rotationPolicyRef, as found in the cache. */
export type PolicyState =
  | { kind: 'none' }
  | { kind: 'missing'; name: string }
  | { kind: 'found'; name: string; spec: RotationPolicySpec };

/** One dependent workload as observed now (rollout judged against the rotation's version). */
export interface DependentObservation {
  kind: string;
  name: string;
  rollout: 'not-started' | 'progressing' | 'complete';
  message: string;
}

/** A key version held in the pending Secret between registration and publication. */
export interface PendingState {
  version: number;
  maskedKeyId: string;
  createdAt: string;
  expiresAt?: string;
}

/**
 * The current key version re-validated with its own signature: what the exchange reported, or
 * its refusal of the key itself (revoked or expired). Never secret material.
 */
export type Revalidation =
  | { version: number; at: string; info: KeyInfo }
  | { version: number; at: string; rejected: string };

/** A failure turned into status: reason constant plus a message safe to show. */
export interface Failure {
  reason: string;
  message: string;
  /** Retry with backoff (true) or wait for a change to the object (false). */
  retryable: boolean;
  /** The venue's own "retry after" (Retry-After, rate-limit reset): the next attempt waits at least this long. */
  retryAfterMs?: number;
}

/** Master credentials: loaded (material kept by the executor), or why not. */
export type MasterState = { kind: 'loaded' } | { kind: 'missing'; failure: Failure };

/** Everything plan() reads. Optional fields are "not loaded yet"; plan asks for them. */
export interface Observed {
  key: ExchangeKey;
  /** The rotation policy (from the informer cache; policies change rarely and staleness is harmless). */
  policy: PolicyState;
  /** How many more dependents may start rolling now under the policy's maxConcurrent. */
  rolloutSlots: number;
  /** Dependent workloads; undefined until loaded (only during RollingOut). */
  dependents?: DependentObservation[];
  /** Set when this reconcile wrote or verified the published Secret (its resourceVersion is recorded). */
  publishedVerified?: boolean;
  /** Set once the old key versions were revoked at the exchange in this reconcile. */
  oldRevoked?: boolean;
  /** Whether this operator has an adapter for spec.exchange. */
  exchangeKnown: boolean;
  published: PublishedState;
  master?: MasterState;
  /** undefined: not loaded; null: no pending key. */
  pending?: PendingState | null;
  /** A pending Secret exists although no rotation is in progress (left by a crash after publishing). */
  pendingLeftover?: boolean;
  /** Set once SweepOrphans ran in this reconcile. */
  swept?: boolean;
  /**
   * Set when this reconcile published a new version after resuming an interrupted or failed
   * attempt: a final orphan sweep follows, since that attempt's create may land late.
   */
  finalSweepDue?: boolean;
  /** Set when this reconcile wrote phase Registering itself (so no crash can precede it). */
  registeringStartedHere?: boolean;
  /**
   * Result of validating the pending key in this reconcile. `info` is absent for a manual venue
   * with no read-only call; `keyId` (masked) names a refused key for status.manual.
   */
  validation?: { version: number; at: string; info?: KeyInfo } | { version: number; failure: Failure; keyId?: string };
  /** Manual venues: set when the handoff Secret held no key exkey does not already know. */
  handoffEmpty?: boolean;
  /** Manual venues: masked ids of keys a human was asked to delete that the venue still accepts. */
  stillLive?: string[];
  /** Result of re-validating the current key version in this reconcile (drift detection). */
  revalidation?: Revalidation;
  /** Set when the pending key was revoked after a failed validation. */
  pendingRevoked?: boolean;
  /** Set once RevokeAll ran (deletion). */
  revokedAll?: { count: number };
  /** The last step's failure, to be reported in status. */
  failure?: Failure;
}
