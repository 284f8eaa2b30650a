// `exkey agent`: opens the mounted exkey Secret like the client library does and publishes the
// decrypted key as plain files into a memory-backed emptyDir, for apps in any language. As an init
// container (`once`) it writes once and exits; as a sidecar it keeps following rotations. A file
// set is published atomically (publishFiles), so a reader never sees half a key.
import { openExchangeKey, type ErrorEvent, type ExchangeKeyError, type ExchangeKeyHandle, type KeyUnwrapper } from '../client/index.ts';
import type { Logger } from '../observability/logger.ts';
import { exponentialDelay } from '../runtime/backoff.ts';
import type { Clock, Timer } from '../runtime/clock.ts';
import { keyFiles, wipe } from './files.ts';
import { publishFiles } from './projection.ts';

/** Retry delays after a failed write into the target: 1 s doubling to 30 s. */
export const WRITE_RETRY = { baseMs: 1_000, maxMs: 30_000 } as const;

/** Options of runAgent. */
export interface AgentOptions {
  /** Where the exkey Secret is mounted. */
  source: string;
  /** Where the plain files go: an emptyDir with medium Memory, shared with the app. */
  target: string;
  /** Namespace of the Secret (downward API). */
  namespace: string;
  /** Name of the Secret. */
  secretName: string;
  /** Unwrappers for the envelope's provider; [] for plain Secrets. */
  unwrappers: readonly KeyUnwrapper[];
  /** Init-container mode: write once and return with nothing left running. */
  once: boolean;
  clock: Clock;
  logger: Logger;
  /** Poll fallback period (ms) of the source watch. */
  pollIntervalMs?: number;
  /** Refuse plain source files: only envelopes. */
  requireEnvelope?: boolean;
}

/** A running (sidecar) or finished (once) agent. */
export interface Agent {
  /** The version last written to the target. */
  writtenVersion(): number;
  /** Stops following the source and waits for a write under way; a no-op in once mode. */
  close(): Promise<void>;
}

function logError(logger: Logger, error: ExchangeKeyError, event: ErrorEvent): void {
  // Error messages name files, Secrets and versions only; the error object itself is not logged
  // (its cause could be anything a provider threw).
  logger.error(
    { kind: error.kind, retryable: error.retryable, version: event.version, previous: event.previous, servingVersion: event.servingVersion },
    `cannot serve the mounted exchange key: ${error.message}`,
  );
}

class Publisher {
  private readonly options: AgentOptions;
  private handle: ExchangeKeyHandle | undefined;
  private writing: Promise<void> | undefined;
  private requested = 0;
  private failures = 0;
  private retry: Timer | undefined;
  private closed = false;
  private started = false;
  /** The version last written. */
  written = 0;

  constructor(options: AgentOptions) {
    this.options = options;
  }

  /** Writes the handle's current state (now, or right after the write under way). */
  request(): void {
    this.requested++;
    this.kick();
  }

  /** The first write, which throws on failure; changes seen meanwhile are written right after it. */
  async first(handle: ExchangeKeyHandle): Promise<void> {
    const seen = this.requested;
    await this.writeNow(handle);
    this.handle = handle;
    this.started = true;
    if (seen !== this.requested) this.kick();
  }

  private kick(): void {
    if (!this.started || this.writing !== undefined || this.closed) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
    });
  }

  private async writeNow(handle: ExchangeKeyHandle): Promise<void> {
    const current = handle.get();
    const previous = handle.previous();
    const files = keyFiles(current, previous);
    try {
      await publishFiles(this.options.target, files, { clock: this.options.clock });
    } finally {
      wipe(files);
    }
    this.written = current.version;
    this.options.logger.info(
      { version: current.version, previousVersion: previous?.version, target: this.options.target },
      'exchange key files written',
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retry?.cancel();
    await this.writing;
  }

  private async drain(): Promise<void> {
    let seen: number;
    do {
      seen = this.requested;
      const handle = this.handle;
      if (handle === undefined || this.closed) return;
      try {
        await this.writeNow(handle);
        this.failures = 0;
      } catch (error) {
        this.scheduleRetry(error);
        return;
      }
    } while (seen !== this.requested);
  }

  private scheduleRetry(error: unknown): void {
    const delay = exponentialDelay(this.failures++, WRITE_RETRY);
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
    this.options.logger.error(
      { target: this.options.target, code, retryInMs: delay },
      `cannot write the exchange key files: ${error instanceof Error ? error.message : 'unknown error'}`,
    );
    this.retry?.cancel();
    this.retry = this.options.clock.setTimer(delay, () => { this.request(); });
  }
}

/**
 * Runs the agent: opens the key (rejecting if the first version cannot be served or written) and
 * writes the files; in sidecar mode keeps watching until close().
 */
export async function runAgent(options: AgentOptions): Promise<Agent> {
  const { logger } = options;
  const publisher = new Publisher(options);
  const handle = await openExchangeKey({
    dir: options.source,
    namespace: options.namespace,
    secretName: options.secretName,
    unwrappers: options.unwrappers,
    clock: options.clock,
    requireEnvelope: options.requireEnvelope ?? false,
    keepProcessAlive: !options.once,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    onRotate: (event) => { logger.info({ version: event.version, fromVersion: event.fromVersion }, 'exchange key rotated'); },
    onChange: () => { publisher.request(); },
    onError: (error, event) => { logError(logger, error, event); },
  });
  try {
    await publisher.first(handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (options.once) {
    await handle.close();
    return { writtenVersion: () => publisher.written, close: () => Promise.resolve() };
  }
  return {
    writtenVersion: () => publisher.written,
    async close() {
      await publisher.close();
      await handle.close();
    },
  };
}
