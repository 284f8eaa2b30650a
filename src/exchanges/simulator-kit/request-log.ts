// The simulator's memory of recent requests, for test assertions and GET /__sim/requests.
// Entries are whatever the venue records (never secrets); the log stamps them with clock time.

import type { Clock } from '../../runtime/clock.ts';

/** How many entries a log keeps by default. */
export const RECENT_REQUESTS = 500;

/** The fields every venue records about a request (venues add their own code); never secrets. */
export interface SimRequestRecord {
  method: string;
  path: string;
  /** The venue's API key header as sent ('' when absent). */
  apiKey: string;
  /** 0 when the connection was held (timeout fault). */
  httpStatus: number;
  /** "<kind>#<id>" of the fault that answered, if any. */
  fault?: string;
}

/** A bounded log of recent requests, oldest first. */
export interface RequestLog<R extends object> {
  record(entry: R): void;
  /** Copies of the entries, most recent last, each with its ISO time `at`. */
  list(): Array<{ at: string } & R>;
  clear(): void;
}

/** Creates an empty log keeping at most `max` entries. */
export function createRequestLog<R extends object>(clock: Clock, max: number = RECENT_REQUESTS): RequestLog<R> {
  let entries: Array<{ at: string } & R> = [];
  return {
    record: (entry) => {
      entries.push({ at: new Date(clock.nowMs()).toISOString(), ...entry });
      if (entries.length > max) entries = entries.slice(-max);
    },
    list: () => entries.map((e) => ({ ...e })),
    clear: () => { entries = []; },
  };
}
