// The public shapes of exkey's consumer library: what a trading process passes in and gets back.
// Key material lives only in ExchangeKeyCredentials objects, which are frozen and never logged.
import type { EnvelopeError, KeyUnwrapper } from '../crypto/index.ts';
import type { Clock } from '../runtime/clock.ts';
import type { KeyVolumeError } from './errors.ts';

/** One key version, as the process signs with it. Frozen; the same object until the version changes. */
export interface ExchangeKeyCredentials {
  /** Key version (ExchangeKey status.currentVersion when it was published). */
  readonly version: number;
  /** The venue's key id. */
  readonly apiKey: string;
  /** HMAC secret (absent for asymmetric keys). */
  readonly apiSecret?: string;
  /** Only where the venue uses one. */
  readonly passphrase?: string;
  /** PEM, for asymmetric keys. */
  readonly privateKey?: string;
}

/** Why a mounted version could not be served: the envelope layer's error, or the volume's. */
export type ExchangeKeyError = EnvelopeError | KeyVolumeError;

/** Passed to onRotate after the current version changed (both versions are key versions, not secrets). */
export interface RotateEvent {
  /** The version get() now returns. */
  readonly version: number;
  /** The version get() returned before. */
  readonly fromVersion: number;
}

/** Passed to onChange after anything get() or previous() return changed. */
export interface ChangeEvent {
  /** The version get() now returns. */
  readonly version: number;
  /** The version previous() now returns, if any. */
  readonly previousVersion: number | undefined;
}

/** Passed to onError with each failure: which mounted version failed, and which one is still served. */
export interface ErrorEvent {
  /** The version the volume announced, when it could be read. */
  readonly version: number | undefined;
  /** True when the failure is about the outgoing (previous.*) version. */
  readonly previous: boolean;
  /** The version get() keeps returning (undefined only while the first open fails). */
  readonly servingVersion: number | undefined;
}

/** Options of openExchangeKey. */
export interface OpenExchangeKeyOptions {
  /** Where the Secret is mounted (the volume's mountPath). */
  dir: string;
  /** Namespace of the Secret; in a pod, from the downward API (metadata.namespace). */
  namespace: string;
  /** Name of the Secret (the ExchangeKey's spec.secret.name, or its name). */
  secretName: string;
  /** Unwrappers for the envelope's provider (localKeyRingUnwrapper, aws-kms, vault-transit); [] for plain Secrets. */
  unwrappers: readonly KeyUnwrapper[];
  /** Time source for the poll fallback and retries; the system clock by default. */
  clock?: Clock;
  /** Called after a new version replaced the current one. Exceptions thrown by it are ignored. */
  onRotate?: (event: RotateEvent) => void;
  /** Called after anything get() or previous() return changed (a rotation, previous.* added or dropped). */
  onChange?: (event: ChangeEvent) => void;
  /** Called with every failure after the first open; the old version keeps being served. Defaults to a process warning. */
  onError?: (error: ExchangeKeyError, event: ErrorEvent) => void;
  /** Refuse plain (encryption: none) files: only envelopes are accepted. Default false. */
  requireEnvelope?: boolean;
  /** How often the directory is re-read even without a file-system event, in ms. Default 30 s. */
  pollIntervalMs?: number;
  /** Keep the Node.js process alive while watching (the agent does; a library should not). Default false. */
  keepProcessAlive?: boolean;
}

/** A key being served from a mounted Secret. */
export interface ExchangeKeyHandle {
  /** The current version: a memory read, no I/O, the same frozen object until the next swap. Throws once closed. */
  get(): ExchangeKeyCredentials;
  /** The outgoing version while the Secret carries one (during a rotation's overlap), else undefined. */
  previous(): ExchangeKeyCredentials | undefined;
  /** Stops watching and drops the key material; get() throws afterwards. */
  close(): Promise<void>;
}
