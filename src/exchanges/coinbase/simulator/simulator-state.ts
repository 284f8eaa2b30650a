// Everything a running Coinbase simulator holds (keys, faults, rate limiter, recent requests) and
// the control surface tests and the admin API use. Views carry public keys only.

import type { Clock } from '../../../runtime/clock.ts';
import type { AdminControls } from '../../simulator-kit/admin.ts';
import { createSimCore, type SimControls, type SimCore } from '../../simulator-kit/core.ts';
import { keyControls } from '../../simulator-kit/key-controls.ts';
import type { BaseRequestRecord, SimulatorSettings } from '../../simulator-kit/venue-server.ts';
import { parseKeyPatch, parseNewKey } from './admin.ts';
import { COINBASE_ERROR_FAULT, DEFAULT_FAULT_PREFIX, type CoinbaseErrorFault } from './faults.ts';
import { addKey, deleteKey, patchKey, viewKey, type KeyBook, type KeyPatch, type NewKey, type SimKeyView } from './state.ts';

/** Coinbase private REST limit: 30 requests per second per user (Advanced Trade "Rate Limits"). */
export const PRIVATE_REQUESTS_PER_SECOND = 30;
/** The limiter bucket every private call shares. */
export const PRIVATE_BUCKET = 'private';

/** What the simulator records besides the kit's fields: why a token was refused. */
export interface CoinbaseRecord {
  reason?: string;
}

/** One request as the simulator answered it. */
export type RequestRecord = { at: string } & BaseRequestRecord & CoinbaseRecord;

/** A key as just created: the view plus, when the simulator made the pair, the private key (once). */
export type CreatedKey = SimKeyView & { privateKey?: string };

/** The control surface of a running simulator: the kit's plus keys. */
export interface CoinbaseSimulatorState extends SimControls<CoinbaseErrorFault, BaseRequestRecord & CoinbaseRecord> {
  listKeys(): SimKeyView[];
  getKey(name: string): SimKeyView | undefined;
  /** A human creating a key in the CDP portal. */
  addKey(input: NewKey): CreatedKey;
  patchKey(name: string, patch: KeyPatch): SimKeyView | undefined;
  /** A human deleting a key in the portal. */
  deleteKey(name: string): SimKeyView | undefined;
}

/** What the server needs besides the public surface. */
export interface SimulatorInternals {
  state: CoinbaseSimulatorState;
  clock: Clock;
  core: SimCore<CoinbaseErrorFault, BaseRequestRecord & CoinbaseRecord>;
  admin: AdminControls<CoinbaseErrorFault>;
  book(): KeyBook;
}

/** Creates the simulator's state with `initial` keys (re-created on reset). */
export function createSimulatorState(organization: string, initial: readonly NewKey[], settings: SimulatorSettings): SimulatorInternals {
  const { clock } = settings;
  const fresh = (): KeyBook => {
    const book: KeyBook = { organization, keys: [] };
    for (const key of initial) addKey(book, key, clock.nowMs());
    return book;
  };
  let book = fresh();
  const core = createSimCore<CoinbaseErrorFault, BaseRequestRecord & CoinbaseRecord>({
    clock,
    venueFault: COINBASE_ERROR_FAULT,
    defaultPathPrefix: DEFAULT_FAULT_PREFIX,
    rateLimits: { limits: { [PRIVATE_BUCKET]: PRIVATE_REQUESTS_PER_SECOND }, windowMs: 1000, enabled: settings.rateLimits },
    ...(settings.random ? { random: settings.random } : {}),
  });
  const keys = keyControls({
    keys: () => book.keys,
    idOf: (k) => k.name,
    view: viewKey,
    patch: (name, patch: KeyPatch) => patchKey(book, name, patch),
    parsePatch: parseKeyPatch,
  });
  const add = (input: NewKey): CreatedKey => {
    const { key, privateKeyPem } = addKey(book, input, clock.nowMs());
    return { ...viewKey(key), ...(privateKeyPem === undefined ? {} : { privateKey: privateKeyPem }) };
  };
  const remove = (name: string): SimKeyView | undefined => {
    const key = deleteKey(book, name);
    return key === undefined ? undefined : viewKey(key);
  };
  const controls = core.controls(() => { book = fresh(); });
  const state: CoinbaseSimulatorState = {
    ...controls, listKeys: keys.listKeys, getKey: keys.getKey, patchKey: keys.patchKey, addKey: add, deleteKey: remove,
  };
  const admin = core.adminControls({ ...keys.adminKeys, create: (body) => add(parseNewKey(body)), remove }, controls);
  return { state, clock, core, admin, book: () => book };
}
