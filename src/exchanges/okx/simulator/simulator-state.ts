// Everything a running OKX simulator holds (account, faults, rate limiter, recent requests) and
// the control surface tests and the admin API use. Views never include secrets or passphrases.

import type { Clock } from '../../../runtime/clock.ts';
import type { AdminControls } from '../../simulator-kit/admin.ts';
import { createSimCore, type SimControls, type SimCore, type SimSettings } from '../../simulator-kit/core.ts';
import type { SimRequestRecord } from '../../simulator-kit/request-log.ts';
import { parseKeyPatch } from './admin.ts';
import { CODE_FAULT, DEFAULT_FAULT_PREFIX, type CodeFault } from './faults.ts';
import { okxRateLimits } from './rate-limit.ts';
import { addMasterKey, createAccount, findLiveKey, patchKey, viewKey, type Account, type AccountInit, type KeyPatch, type SimKeyView } from './state.ts';

/** One request as the simulator answered it (apiKey is OK-ACCESS-KEY), with OKX's code. */
export interface RequestRecord extends SimRequestRecord {
  at: string;
  code?: string;
}

/** The control surface of a running simulator: the kit's (faults, rate limits, history, reset) plus keys. */
export interface OkxSimulatorState extends SimControls<CodeFault, Omit<RequestRecord, 'at'>> {
  /** Every key ever created, deleted ones included, without secrets. */
  listKeys(): SimKeyView[];
  getKey(apiKey: string): SimKeyView | undefined;
  /** Changes a live key behind exkey's back (drift tests); undefined when not found. */
  patchKey(apiKey: string, patch: KeyPatch): SimKeyView | undefined;
  /** Adds another master key (same master uid); throws if the api key is taken. */
  addMasterKey(key: { apiKey: string; secret: string; passphrase: string; ips: readonly string[] }): SimKeyView;
}

/** What the server and admin API need besides the public surface: clock, kit core, admin hooks, account. */
export interface SimulatorInternals {
  state: OkxSimulatorState;
  clock: Clock;
  core: SimCore<CodeFault, Omit<RequestRecord, 'at'>>;
  admin: AdminControls<CodeFault>;
  account(): Account;
}

/** Creates the simulator's state. */
export function createSimulatorState(init: AccountInit, settings: SimSettings): SimulatorInternals {
  const { clock } = settings;
  let account = createAccount(init, clock.nowMs());
  const core = createSimCore<CodeFault, Omit<RequestRecord, 'at'>>({
    clock, venueFault: CODE_FAULT, defaultPathPrefix: DEFAULT_FAULT_PREFIX, rateLimits: okxRateLimits(settings.rateLimits),
    ...(settings.random ? { random: settings.random } : {}),
  });
  const find = (apiKey: string): SimKeyView | undefined => {
    // Apply the idle rule first, so views show what OKX would have deleted.
    findLiveKey(account, apiKey, clock.nowMs());
    const key = account.keys.filter((k) => k.apiKey === apiKey).at(-1);
    return key ? viewKey(key) : undefined;
  };
  const patch = (apiKey: string, keyPatch: KeyPatch): SimKeyView | undefined => {
    const key = patchKey(account, apiKey, keyPatch, clock.nowMs());
    return key ? viewKey(key) : undefined;
  };
  const list = (): SimKeyView[] => {
    for (const k of account.keys) findLiveKey(account, k.apiKey, clock.nowMs());
    return account.keys.map(viewKey);
  };
  const controls = core.controls(() => { account = createAccount(init, clock.nowMs()); });
  const state: OkxSimulatorState = {
    ...controls,
    listKeys: list,
    getKey: find,
    patchKey: patch,
    addMasterKey: (key) => {
      if (account.keys.some((k) => k.apiKey === key.apiKey)) throw new Error(`api key ${key.apiKey} already exists`);
      return viewKey(addMasterKey(account, key, clock.nowMs()));
    },
  };
  const admin = core.adminControls({ list, get: find, patch: (apiKey, body) => patch(apiKey, parseKeyPatch(body)) }, controls);
  return { state, clock, core, admin, account: () => account };
}
