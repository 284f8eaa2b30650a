// What executing a step needs: narrow interfaces to Kubernetes, the exchanges, encryption, Events,
// time and logging, plus per-reconcile scratch space for secret material.
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import type { AdapterRegistry } from '../../exchanges/registry.ts';
import type { Credentials, ExchangeAdapter, KeyInfo } from '../../exchanges/types.ts';
import type { ValidatorRegistry } from '../../exchanges/validators.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventRecorder, EventType } from '../../runtime/events.ts';
import type { EncryptionProviders } from '../encryption/providers.ts';
import type { DependentSpec, ResolvedDependents, Workload, WorkloadRef } from '../dependents/workloads.ts';
import type { ExchangeKeyApi, SecretApi } from './api.ts';
import type { KeyMaterial } from './material.ts';
import type { KeyMirror } from './mirror.ts';
import type { RolloutThrottle } from './throttle.ts';
import type { Failpoints } from '../../runtime/failpoints.ts';

/** Collaborators of the ExchangeKey executor. */
export interface Deps {
  keys: ExchangeKeyApi;
  secrets: SecretApi;
  /** Resolves spec.dependents to workloads (missing named ones listed apart). */
  workloads(namespace: string, dependents: DependentSpec[]): Promise<ResolvedDependents>;
  /** Sets the key-version annotation on one workload's pod template (idempotent). */
  rollWorkload(namespace: string, ref: WorkloadRef, roll: { annotationKey: string; version: number }): Promise<unknown>;
  /** Pods of the workload still without this key version (terminating ones included). */
  stalePods(namespace: string, workload: Workload, roll: { annotationKey: string; version: number }): Promise<number>;
  throttle: RolloutThrottle;
  /** Crash points for tests (EXKEY_FAILPOINTS); absent in normal runs. */
  failpoints?: Failpoints;
  adapters: AdapterRegistry;
  /** Read-only validators of manual venues (spec.manual.venue). */
  validators: ValidatorRegistry;
  encryption: EncryptionProviders;
  /** Backup store for key versions (spec.secret.vaultKvMirror); absent without a Vault connection. */
  mirror?: KeyMirror;
  events: EventRecorder;
  clock: Clock;
  log: Logger;
}

/**
 * Secret material loaded during one reconcile. Kept apart from Observed so that planning, logging
 * and status code never hold it; dropped when the reconcile ends.
 */
export interface Scratch {
  master?: Credentials;
  pending?: KeyMaterial;
  /**
   * The pending Secret's data as stored: sealed for the published Secret's name and version, so
   * publishing copies it as is (one provider call per key version, none at publication).
   */
  pendingData?: Record<string, string>;
  /** The current (published) key version, loaded to re-validate it. */
  current?: KeyMaterial;
}

/** The adapter for this ExchangeKey (plan only asks for exchange steps when it exists). */
export function adapterFor(deps: Deps, key: ExchangeKey): ExchangeAdapter {
  return deps.adapters.get(key.spec.exchange, key.spec.endpoint);
}

/** A signed read-only call with a key, for any venue: the adapter's, or a manual venue's validator. */
export type KeyCheck = (key: Credentials) => Promise<KeyInfo>;

/** How to ask this key's venue about a key; undefined for a manual venue with no read-only call. */
export function keyCheckFor(deps: Deps, key: ExchangeKey): KeyCheck | undefined {
  if (key.spec.exchange !== 'manual') {
    const adapter = adapterFor(deps, key);
    return (creds) => adapter.validate(creds, key.spec.account);
  }
  const venue = key.spec.manual?.venue ?? 'none';
  if (venue === 'none') return undefined;
  const validator = deps.validators.get(venue, key.spec.endpoint);
  return (creds) => validator.validate(creds);
}

/** An Event about an ExchangeKey. `message` must never contain secret material. */
export interface EventSpec {
  type: EventType;
  reason: string;
  message: string;
}

/** Records an Event about this ExchangeKey. */
export function emit(deps: Deps, key: ExchangeKey, { type, reason, message }: EventSpec): void {
  deps.events.record(
    {
      apiVersion: key.apiVersion,
      kind: key.kind,
      name: key.metadata.name,
      namespace: key.metadata.namespace,
      uid: key.metadata.uid,
    },
    type,
    reason,
    message,
  );
}

/** Scratch material that a step requires; a missing one is a planning bug, not a user error. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal: ${what} not loaded before use`);
  return value;
}
