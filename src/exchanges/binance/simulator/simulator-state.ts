// Everything a running simulator holds (account, faults, rate limiter, recent requests) and the
// control surface tests and the admin API use. Views never include secrets.

import type { Clock } from '../../../runtime/clock.ts';
import type { AdminControls } from '../../simulator-kit/admin.ts';
import { createSimCore, type SimControls, type SimCore } from '../../simulator-kit/core.ts';
import { keyControls } from '../../simulator-kit/key-controls.ts';
import type { BaseRequestRecord, SimulatorSettings } from '../../simulator-kit/venue-server.ts';
import { parseKeyPatch } from './admin.ts';
import { BINANCE_ERROR_FAULT, DEFAULT_FAULT_PREFIX, type BinanceErrorFault } from './faults.ts';
import { binanceRateLimits } from './rate-limit.ts';
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

/** What the simulator records besides the kit's fields: Binance's error code, when it answered one. */
export interface BinanceRecord {
  code?: number;
}

/** One request as the simulator answered it (for assertions, never with secrets). */
export type RequestRecord = { at: string } & BaseRequestRecord & BinanceRecord;

/** The control surface of a running simulator: the kit's (faults, rate limits, history, reset) plus keys. */
export interface BinanceSimulatorState extends SimControls<BinanceErrorFault, BaseRequestRecord & BinanceRecord> {
  /** Every key ever created, deleted ones included, without secrets. */
  listKeys(): SimKeyView[];
  getKey(apiKey: string): SimKeyView | undefined;
  /** Changes a live key behind exkey's back (drift tests); undefined when not found. */
  patchKey(apiKey: string, patch: KeyPatch): SimKeyView | undefined;
  /** Adds another master key (same master uid); throws if the api key is taken. */
  addMasterKey(apiKey: string, secret: string): SimKeyView;
}

/** What the server and admin API need besides the public surface. */
export interface SimulatorInternals {
  state: BinanceSimulatorState;
  clock: Clock;
  /** Faults, rate limiter and request log (the kit's). */
  core: SimCore<BinanceErrorFault, BaseRequestRecord & BinanceRecord>;
  /** The /__sim/ control API's hooks. */
  admin: AdminControls<BinanceErrorFault>;
  account(): Account;
}

/** Creates the simulator's state. */
export function createSimulatorState(init: AccountInit, settings: SimulatorSettings): SimulatorInternals {
  const { clock } = settings;
  let account = createAccount(init, clock.nowMs());
  const core = createSimCore<BinanceErrorFault, BaseRequestRecord & BinanceRecord>({
    clock,
    venueFault: BINANCE_ERROR_FAULT,
    defaultPathPrefix: DEFAULT_FAULT_PREFIX,
    rateLimits: binanceRateLimits(settings.rateLimits),
    ...(settings.random ? { random: settings.random } : {}),
  });
  const keys = keyControls({
    keys: () => account.keys,
    idOf: (k) => k.apiKey,
    view: viewKey,
    patch: (apiKey, keyPatch: KeyPatch) => patchKey(account, apiKey, keyPatch, clock.nowMs()),
    parsePatch: parseKeyPatch,
  });
  const controls = core.controls(() => { account = createAccount(init, clock.nowMs()); });
  const state: BinanceSimulatorState = {
    ...controls,
    listKeys: keys.listKeys,
    getKey: keys.getKey,
    patchKey: keys.patchKey,
    addMasterKey: (apiKey, secret) => {
      if (account.keys.some((k) => k.apiKey === apiKey)) throw new Error(`api key ${apiKey} already exists`);
      return viewKey(addMasterKey(account, apiKey, secret, clock.nowMs()));
    },
  };
  const admin = core.adminControls(keys.adminKeys, controls);
  return { state, clock, core, admin, account: () => account };
}
