// Notices changes to a mounted Secret. fs.watch on the directory (not the files: the kubelet swaps
// the `..data` symlink, so file watches would keep watching the old, deleted inodes) gives a
// prompt signal; a slow poll through the injected Clock covers what inotify misses (a watch that
// died with its directory, network or overlay file systems) and re-arms a dead watch.
import { watch, type FSWatcher } from 'node:fs';
import type { Clock, Timer } from '../runtime/clock.ts';

/** Options of watchDirectory. */
export interface WatchOptions {
  clock: Clock;
  /** Period of the poll fallback, in ms. */
  pollIntervalMs: number;
  /** Whether the fs.watch handle keeps the process alive. */
  persistent: boolean;
  /** Use fs.watch as well as the poll (default true; tests of the poll turn it off). */
  fsEvents?: boolean;
}

/** A running watch; close() stops both the file-system watch and the poll. */
export interface DirectoryWatch {
  close(): void;
}

/** Calls `onSignal` whenever `dir` may have changed (often more than once per change: callers dedupe). */
export function watchDirectory(dir: string, onSignal: () => void, options: WatchOptions): DirectoryWatch {
  let watcher: FSWatcher | undefined;
  let timer: Timer | undefined;
  let closed = false;

  const startWatch = (): void => {
    if (closed || watcher !== undefined || options.fsEvents === false) return;
    try {
      const current = watch(dir, { persistent: options.persistent }, () => {
        onSignal();
      });
      current.on('error', () => {
        // The directory went away or the watch broke: the poll keeps going and re-arms it.
        current.close();
        if (watcher === current) watcher = undefined;
      });
      watcher = current;
    } catch {
      // Not there yet (or not watchable): the poll retries.
    }
  };

  const poll = (): void => {
    if (closed) return;
    startWatch();
    onSignal();
    timer = options.clock.setTimer(options.pollIntervalMs, poll);
  };

  startWatch();
  timer = options.clock.setTimer(options.pollIntervalMs, poll);
  return {
    close() {
      closed = true;
      timer?.cancel();
      watcher?.close();
      watcher = undefined;
    },
  };
}
