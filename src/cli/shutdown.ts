// Graceful shutdown: the first SIGTERM/SIGINT runs the stop function (drain, release, close);
// a second one, or a stop that hangs past the grace period, exits at once.
import type { Logger } from '../observability/logger.ts';

/** Resolves when the process was asked to stop and `stop` has finished. */
export function untilSignalled(stop: () => Promise<void>, logger: Logger, graceMs = 30_000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown took too long: exiting');
        process.exit(1);
      }, graceMs);
      force.unref();
      stop().then(
        () => { clearTimeout(force); resolve(); },
        (err: unknown) => { logger.error({ err: String(err) }, 'error during shutdown'); resolve(); },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
