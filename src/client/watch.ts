// Notices changes to a mounted Secret. fs.watch on the directory (not the files: the kubelet swaps
// the `..data` symlink, so file watches would keep watching the old, deleted inodes) gives a
// prompt signal; a slow poll through the injected Clock covers what inotify misses (network or
// overlay file systems). Each poll also renews the watch: a watch on a directory that was removed
// stays open but silent, and a new directory at the same path may even reuse the old inode
// number, so renewing is simpler and surer than detecting it (one inotify call per poll).
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

  // The new watch is armed before the old one is closed, so no change falls between the two.
  const renewWatch = (): void => {
    if (closed || options.fsEvents === false) return;
    const old = watcher;
    watcher = undefined;
    try {
      const handle = watch(dir, { persistent: options.persistent }, () => {
        onSignal();
      });
      handle.on('error', () => {
        // The watch broke: the next poll renews it.
        handle.close();
        if (watcher === handle) watcher = undefined;
      });
      watcher = handle;
    } catch {
      // Not there (or not watchable): the next poll tries again.
    }
    old?.close();
  };

  const poll = (): void => {
    if (closed) return;
    timer = options.clock.setTimer(options.pollIntervalMs, poll);
    renewWatch();
    onSignal();
  };

  renewWatch();
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
