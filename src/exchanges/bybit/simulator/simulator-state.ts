// Everything a running simulator holds (account, faults, rate limiter, recent requests) and the
// control surface tests and the admin API use. Views never include secrets.

import type { Clock } from '../../../runtime/clock.ts';
import { createFaultStore, type Fault, type FaultSpec, type FaultStore } from './faults.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import {
  addMasterKey,
  createAccount,
  patchKey,
  viewKey,
  type Account,
  type AccountInit,
  type KeyPatch,
  type SimKeyView,
} from './state.ts';

/** One request as the simulator answered it (for assertions, never with secrets). */
export interface RequestRecord {
  at: string;
  method: string;
  path: string;
  /** X-BAPI-API-KEY as sent ('' when absent). */
  apiKey: string;
  /** 0 when the connection was held (timeout fault). */
  httpStatus: number;
  retCode?: number;
  /** "<kind>#<id>" of the fault that answered, if any. */
  fault?: string;
}

/** The control surface of a running simulator. */
export interface BybitSimulatorState {
  /** Every key ever created, deleted ones included, without secrets. */
  listKeys(): SimKeyView[];
  getKey(apiKey: string): SimKeyView | undefined;
  /** Changes a live key behind exkey's back (drift tests); undefined when not found. */
  patchKey(apiKey: string, patch: KeyPatch): SimKeyView | undefined;
  /** Adds another master key (same master uid); throws if the api key is taken. */
  addMasterKey(apiKey: string, secret: string): SimKeyView;
  addFault(spec: FaultSpec): Fault;
  listFaults(): Fault[];
  /** Removes every fault; returns how many there were. */
  clearFaults(): number;
  /** Most recent last; at most RECENT_REQUESTS entries. */
  recentRequests(): RequestRecord[];
  setRateLimits(enabled: boolean): void;
  /** Back to the initial account (master key only), no faults, no history, fresh limits. */
  reset(): void;
}

/** What the server and admin API need besides the public surface. */
export interface SimulatorInternals {
  state: BybitSimulatorState;
  clock: Clock;
  faults: FaultStore;
  limiter: RateLimiter;
  account(): Account;
  record(entry: Omit<RequestRecord, 'at'>): void;
}

/** How many requests recentRequests() keeps. */
export const RECENT_REQUESTS = 500;

/** Settings that are not part of the account. */
export interface SimulatorSettings {
  clock: Clock;
  rateLimits: boolean;
  random?: () => number;
}

/** Creates the simulator's state. */
export function createSimulatorState(init: AccountInit, settings: SimulatorSettings): SimulatorInternals {
  const { clock } = settings;
  let account = createAccount(init, clock.nowMs());
  const faults = createFaultStore(settings.random);
  const limiter = createRateLimiter(settings.rateLimits);
  let requests: RequestRecord[] = [];
  const find = (apiKey: string): SimKeyView | undefined => {
    // The newest key with this id wins (a live key over an older deleted one).
    const key = account.keys.filter((k) => k.apiKey === apiKey).at(-1);
    return key ? viewKey(key) : undefined;
  };
  const state: BybitSimulatorState = {
    listKeys: () => account.keys.map(viewKey),
    getKey: find,
    patchKey: (apiKey, patch) => {
      const key = patchKey(account, apiKey, patch);
      return key ? viewKey(key) : undefined;
    },
    addMasterKey: (apiKey, secret) => {
      if (account.keys.some((k) => k.apiKey === apiKey)) throw new Error(`api key ${apiKey} already exists`);
      return viewKey(addMasterKey(account, apiKey, secret, clock.nowMs()));
    },
    addFault: (spec) => faults.add(spec),
    listFaults: () => faults.list(),
    clearFaults: () => faults.clear(),
    recentRequests: () => requests.map((r) => ({ ...r })),
    setRateLimits: (enabled) => { limiter.setEnabled(enabled); },
    reset: () => {
      account = createAccount(init, clock.nowMs());
      faults.clear();
      limiter.reset();
      requests = [];
    },
  };
  return {
    state,
    clock,
    faults,
    limiter,
    account: () => account,
    record: (entry) => {
      requests.push({ at: new Date(clock.nowMs()).toISOString(), ...entry });
      if (requests.length > RECENT_REQUESTS) requests = requests.slice(-RECENT_REQUESTS);
    },
  };
}
