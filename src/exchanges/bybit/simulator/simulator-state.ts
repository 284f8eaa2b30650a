// Everything a running simulator holds (account, faults, rate limiter, recent requests) and the
// control surface tests and the admin API use. Views never include secrets.

import type { Clock } from '../../../runtime/clock.ts';
import type { AdminControls } from '../../simulator-kit/admin.ts';
import { createSimCore, type SimControls, type SimCore } from '../../simulator-kit/core.ts';
import { parseKeyPatch } from './admin.ts';
import { DEFAULT_FAULT_PREFIX, RET_CODE_FAULT, type RetCodeFault } from './faults.ts';
import { bybitRateLimits } from './rate-limit.ts';
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

/** The control surface of a running simulator: the kit's (faults, rate limits, history, reset) plus keys. */
export interface BybitSimulatorState extends SimControls<RetCodeFault, Omit<RequestRecord, 'at'>> {
  /** Every key ever created, deleted ones included, without secrets. */
  listKeys(): SimKeyView[];
  getKey(apiKey: string): SimKeyView | undefined;
  /** Changes a live key behind exkey's back (drift tests); undefined when not found. */
  patchKey(apiKey: string, patch: KeyPatch): SimKeyView | undefined;
  /** Adds another master key (same master uid); throws if the api key is taken. */
  addMasterKey(apiKey: string, secret: string): SimKeyView;
  /**
   * Secrets of every sub-account key issued since the last reset, deleted ones included: for
   * in-process tests that prove none of them ever shows up in exkey's output. Not reachable over
   * HTTP (the control API never returns secrets).
   */
  issuedSecrets(): string[];
}

/** What the server and admin API need besides the public surface. */
export interface SimulatorInternals {
  state: BybitSimulatorState;
  clock: Clock;
  /** Faults, rate limiter and request log (the kit's). */
  core: SimCore<RetCodeFault, Omit<RequestRecord, 'at'>>;
  /** The /__sim/ control API's hooks. */
  admin: AdminControls<RetCodeFault>;
  account(): Account;
}

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
  const core = createSimCore<RetCodeFault, Omit<RequestRecord, 'at'>>({
    clock,
    venueFault: RET_CODE_FAULT,
    defaultPathPrefix: DEFAULT_FAULT_PREFIX,
    rateLimits: bybitRateLimits(settings.rateLimits),
    ...(settings.random ? { random: settings.random } : {}),
  });
  const find = (apiKey: string): SimKeyView | undefined => {
    // The newest key with this id wins (a live key over an older deleted one).
    const key = account.keys.filter((k) => k.apiKey === apiKey).at(-1);
    return key ? viewKey(key) : undefined;
  };
  const patch = (apiKey: string, keyPatch: KeyPatch): SimKeyView | undefined => {
    const key = patchKey(account, apiKey, keyPatch);
    return key ? viewKey(key) : undefined;
  };
  const controls = core.controls(() => { account = createAccount(init, clock.nowMs()); });
  const state: BybitSimulatorState = {
    ...controls,
    listKeys: () => account.keys.map(viewKey),
    getKey: find,
    patchKey: patch,
    addMasterKey: (apiKey, secret) => {
      if (account.keys.some((k) => k.apiKey === apiKey)) throw new Error(`api key ${apiKey} already exists`);
      return viewKey(addMasterKey(account, apiKey, secret, clock.nowMs()));
    },
    issuedSecrets: () => account.keys.filter((k) => k.uid !== init.masterUid).map((k) => k.secret),
  };
  const admin = core.adminControls(
    { list: () => account.keys.map(viewKey), get: find, patch: (apiKey, body) => patch(apiKey, parseKeyPatch(body)) },
    controls,
  );
  return { state, clock, core, admin, account: () => account };
}
