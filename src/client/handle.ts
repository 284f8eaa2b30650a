// Serves one exchange key from a mounted Secret. The plaintext is decrypted once per version and
// kept in memory; get() is a field read. A new version is opened next to the served one and swapped
// in with a single assignment only once it opened; a version that fails to open (tampered, unknown
// key, provider down) or is older than the one served never replaces it: the failure is reported and
// retried with backoff, re-reading the volume each time (someone may have fixed it).
import { EnvelopeError, contextProblem, providersByName } from '../crypto/index.ts';
import { exponentialDelay } from '../runtime/backoff.ts';
import { systemClock, type Clock, type Timer } from '../runtime/clock.ts';
import { KeyVolumeError } from './errors.ts';
import { hasSlot, openSlot, versionOf, type Binding } from './material.ts';
import type {
  ExchangeKeyCredentials, ExchangeKeyError, ExchangeKeyHandle, ErrorEvent, OpenExchangeKeyOptions,
} from './types.ts';
import { PREVIOUS_PREFIX, readVolume, slotFingerprint, type VersionSlot, type VolumeSnapshot } from './volume.ts';
import { watchDirectory, type DirectoryWatch } from './watch.ts';

/** Default period of the poll fallback. */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
/** Retry delays after a failed version: 1 s doubling to 1 min. */
export const RETRY_BACKOFF = { baseMs: 1_000, maxMs: 60_000 } as const;

interface Served {
  readonly current: ExchangeKeyCredentials;
  readonly previous: ExchangeKeyCredentials | undefined;
  readonly currentPrint: string | undefined;
  /** Undefined when the volume has no previous.* files or they failed to open (so they are retried). */
  readonly previousPrint: string | undefined;
}

interface Failure {
  readonly print: string;
  readonly attempts: number;
  readonly retryAt: number;
}

interface Report {
  readonly error: unknown;
  readonly slot: VersionSlot;
  readonly version: number | undefined;
}

interface Loaded {
  readonly served: Served;
  readonly reports: Report[];
}

const ROLLBACK = Symbol('rollback');

function announced(snapshot: VolumeSnapshot, slot: VersionSlot): number | undefined {
  try {
    return versionOf(snapshot, slot);
  } catch {
    return undefined;
  }
}

function asKeyError(error: unknown): ExchangeKeyError {
  if (error instanceof EnvelopeError || error instanceof KeyVolumeError) return error;
  return new KeyVolumeError('unreadable', `unexpected failure reading the exchange key: ${error instanceof Error ? error.name : 'unknown error'}`, { cause: error });
}

function warn(error: ExchangeKeyError): void {
  process.emitWarning(`exkey: ${error.message}`, { type: 'ExkeyWarning', code: error.kind });
}

// Callbacks belong to the caller: one that throws must not break the watch loop.
function notify<T>(callback: ((event: T) => void) | undefined, event: T): void {
  try {
    callback?.(event);
  } catch {
    // Deliberately ignored (documented on the options).
  }
}

class KeyServer implements ExchangeKeyHandle {
  private readonly options: OpenExchangeKeyOptions;
  private readonly binding: Binding;
  private readonly clock: Clock;
  private served: Served | undefined;
  private failure: Failure | undefined;
  private retryTimer: Timer | undefined;
  private watch: DirectoryWatch | undefined;
  private running: Promise<void> | undefined;
  /** Counts change signals, so a signal that arrives during a sync causes one more. */
  private signals = 0;
  private ready = false;
  private closed = false;

  constructor(options: OpenExchangeKeyOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.binding = {
      namespace: options.namespace,
      secretName: options.secretName,
      providers: providersByName(options.unwrappers),
      requireEnvelope: options.requireEnvelope ?? false,
    };
  }

  get(): ExchangeKeyCredentials {
    const served = this.served;
    if (served === undefined) throw new Error('exkey: the exchange key handle is closed');
    return served.current;
  }

  previous(): ExchangeKeyCredentials | undefined {
    return this.served?.previous;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watch?.close();
    this.retryTimer?.cancel();
    await this.running;
    this.served = undefined;
  }

  /** Watches, then loads the first version; rejects (and stops watching) if it cannot be served. */
  async start(): Promise<void> {
    this.watch = watchDirectory(this.options.dir, () => { this.signal(); }, {
      clock: this.clock,
      pollIntervalMs: this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      persistent: this.options.keepProcessAlive ?? false,
    });
    try {
      const snapshot = await readVolume(this.options.dir);
      const loaded = await this.load(snapshot, undefined);
      if (loaded === ROLLBACK) throw new Error('unreachable: nothing is served yet');
      this.served = loaded.served;
      this.settle(loaded.reports, this.printOf(snapshot));
    } catch (error) {
      this.watch.close();
      throw asKeyError(error);
    }
    this.ready = true;
    if (this.signals > 0) this.signal();
  }

  private signal(): void {
    if (this.closed) return;
    this.signals++;
    if (this.running !== undefined || !this.ready) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    let seen: number;
    do {
      seen = this.signals;
      await this.sync();
    } while (seen !== this.signals && !this.closed);
  }

  private printOf(snapshot: VolumeSnapshot): string {
    return `${slotFingerprint(snapshot, '') ?? '-'}|${slotFingerprint(snapshot, PREVIOUS_PREFIX) ?? '-'}`;
  }

  private async sync(): Promise<void> {
    const served = this.served;
    if (served === undefined) return;
    let snapshot: VolumeSnapshot;
    try {
      snapshot = await readVolume(this.options.dir);
    } catch (error) {
      if (!this.due('unreadable')) return;
      this.settle([{ error, slot: '', version: undefined }], 'unreadable');
      return;
    }
    if (slotFingerprint(snapshot, '') === served.currentPrint && slotFingerprint(snapshot, PREVIOUS_PREFIX) === served.previousPrint) {
      this.clearFailure();
      return;
    }
    const print = this.printOf(snapshot);
    if (!this.due(print)) return;
    let loaded: Loaded | typeof ROLLBACK;
    try {
      loaded = await this.load(snapshot, served);
    } catch (error) {
      this.settle([{ error, slot: '', version: announced(snapshot, '') }], print);
      return;
    }
    if (loaded === ROLLBACK) {
      const version = announced(snapshot, '');
      const error = new KeyVolumeError(
        'rollback',
        `the mounted Secret in ${this.options.dir} holds version ${version ?? '?'}, older than the version ${served.current.version} being served: ignored`,
      );
      this.settle([{ error, slot: '', version }], print, false);
      return;
    }
    if (this.closed) return;
    this.swap(served, loaded.served);
    this.settle(loaded.reports, print);
  }

  // Skips a print that already failed until its retry is due; anything new is tried at once.
  private due(print: string): boolean {
    return this.failure?.print !== print || this.clock.nowMs() >= this.failure.retryAt;
  }

  private async load(snapshot: VolumeSnapshot, served: Served | undefined): Promise<Loaded | typeof ROLLBACK> {
    const currentPrint = slotFingerprint(snapshot, '');
    const version = versionOf(snapshot, '');
    if (served !== undefined && version < served.current.version) return ROLLBACK;
    const current = served !== undefined && currentPrint === served.currentPrint
      ? served.current
      : await openSlot(snapshot, '', this.binding);
    const reports: Report[] = [];
    let previous: ExchangeKeyCredentials | undefined;
    let previousPrint: string | undefined;
    if (hasSlot(snapshot, PREVIOUS_PREFIX)) {
      try {
        previousPrint = slotFingerprint(snapshot, PREVIOUS_PREFIX);
        previous = await this.loadPrevious(snapshot, served, previousPrint, version);
      } catch (error) {
        previousPrint = undefined;
        reports.push({ error, slot: PREVIOUS_PREFIX, version: announced(snapshot, PREVIOUS_PREFIX) });
      }
    }
    return { served: { current, previous, currentPrint, previousPrint }, reports };
  }

  private async loadPrevious(
    snapshot: VolumeSnapshot,
    served: Served | undefined,
    print: string | undefined,
    currentVersion: number,
  ): Promise<ExchangeKeyCredentials> {
    // Usually the outgoing version is exactly what was served until now: no need to decrypt it again.
    const previous = served === undefined ? undefined
      : print === served.previousPrint ? served.previous
        : print === served.currentPrint ? served.current
          : undefined;
    const opened = previous ?? await openSlot(snapshot, PREVIOUS_PREFIX, this.binding);
    if (opened.version >= currentVersion) {
      throw new KeyVolumeError(
        'invalid',
        `the outgoing version (previous.*) in ${snapshot.dir} is ${opened.version}, not older than the current version ${currentVersion}`,
      );
    }
    return opened;
  }

  private swap(before: Served, after: Served): void {
    this.served = after;
    if (after.current.version !== before.current.version) {
      notify(this.options.onRotate, { version: after.current.version, fromVersion: before.current.version });
    }
    if (after.current !== before.current || after.previous !== before.previous) {
      notify(this.options.onChange, { version: after.current.version, previousVersion: after.previous?.version });
    }
  }

  // Reports failures and arms the retry; no failures clears the retry state.
  private settle(reports: Report[], print: string, retry = true): void {
    if (this.closed) return;
    if (reports.length === 0) {
      this.clearFailure();
      return;
    }
    const attempts = this.failure?.print === print ? this.failure.attempts + 1 : 1;
    const delay = exponentialDelay(attempts - 1, RETRY_BACKOFF);
    this.failure = { print, attempts, retryAt: retry ? this.clock.nowMs() + delay : Infinity };
    this.retryTimer?.cancel();
    this.retryTimer = retry ? this.clock.setTimer(delay, () => { this.signal(); }) : undefined;
    for (const report of reports) {
      const error = asKeyError(report.error);
      const event: ErrorEvent = { version: report.version, previous: report.slot === PREVIOUS_PREFIX, servingVersion: this.served?.current.version };
      if (this.options.onError) notify((e: ExchangeKeyError) => { this.options.onError?.(e, event); }, error);
      else warn(error);
    }
  }

  private clearFailure(): void {
    this.failure = undefined;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
  }
}

/**
 * Opens the exchange key mounted at `options.dir` and keeps it current as exkey rotates it.
 * Rejects with EnvelopeError or KeyVolumeError when the first version cannot be served; later
 * failures go to onError while the last good version keeps being served.
 */
export async function openExchangeKey(options: OpenExchangeKeyOptions): Promise<ExchangeKeyHandle> {
  const problem = contextProblem({ namespace: options.namespace, name: options.secretName, version: 1 });
  if (problem !== undefined) throw new TypeError(`exkey: invalid Secret coordinates: ${problem}`);
  const server = new KeyServer(options);
  await server.start();
  return server;
}
