// Everything a running Kraken simulator holds (keys, faults, rate limiter, recent requests) and
// the control surface tests and the admin API use. Views never include secrets; adding a key
// returns its secret once, as Kraken's UI shows it once.

import type { Clock } from '../../../runtime/clock.ts';
import type { AdminControls } from '../../simulator-kit/admin.ts';
import { createSimCore, type SimControls, type SimCore } from '../../simulator-kit/core.ts';
import { keyControls } from '../../simulator-kit/key-controls.ts';
import type { BaseRequestRecord, SimulatorSettings } from '../../simulator-kit/venue-server.ts';
import { parseKeyPatch, parseNewKey } from './admin.ts';
import { DEFAULT_FAULT_PREFIX, KRAKEN_ERROR_FAULT, type KrakenErrorFault } from './faults.ts';
import { krakenRateLimits } from './rate-limit.ts';
import { addKey, deleteKey, patchKey, viewKey, type KeyBook, type KeyPatch, type NewKey, type SimKeyView } from './state.ts';

/** What the simulator records besides the kit's fields: Kraken's error string, when it answered one. */
export interface KrakenRecord {
  error?: string;
}

/** One request as the simulator answered it (for assertions, never with secrets). */
export type RequestRecord = { at: string } & BaseRequestRecord & KrakenRecord;

/** A key as just created: the view plus the secret, shown this once. */
export type CreatedKey = SimKeyView & { secret: string };

/** The control surface of a running simulator: the kit's plus keys. */
export interface KrakenSimulatorState extends SimControls<KrakenErrorFault, BaseRequestRecord & KrakenRecord> {
  listKeys(): SimKeyView[];
  getKey(apiKey: string): SimKeyView | undefined;
  /** A human creating a key in Kraken's UI. */
  addKey(input: NewKey): CreatedKey;
  /** A human editing a key; undefined when not found. */
  patchKey(apiKey: string, patch: KeyPatch): SimKeyView | undefined;
  /** A human deleting a key; undefined when not found. */
  deleteKey(apiKey: string): SimKeyView | undefined;
}

/** What the server needs besides the public surface. */
export interface SimulatorInternals {
  state: KrakenSimulatorState;
  clock: Clock;
  core: SimCore<KrakenErrorFault, BaseRequestRecord & KrakenRecord>;
  admin: AdminControls<KrakenErrorFault>;
  book(): KeyBook;
}

/** Creates the simulator's state with `initial` keys (re-created on reset). */
export function createSimulatorState(initial: readonly NewKey[], settings: SimulatorSettings): SimulatorInternals {
  const { clock } = settings;
  const fresh = (): KeyBook => {
    const book: KeyBook = { keys: [] };
    for (const key of initial) addKey(book, key, clock.nowMs());
    return book;
  };
  let book = fresh();
  const core = createSimCore<KrakenErrorFault, BaseRequestRecord & KrakenRecord>({
    clock,
    venueFault: KRAKEN_ERROR_FAULT,
    defaultPathPrefix: DEFAULT_FAULT_PREFIX,
    rateLimits: krakenRateLimits(settings.rateLimits),
    ...(settings.random ? { random: settings.random } : {}),
  });
  const keys = keyControls({
    keys: () => book.keys,
    idOf: (k) => k.apiKey,
    view: viewKey,
    patch: (apiKey, patch: KeyPatch) => patchKey(book, apiKey, patch, clock.nowMs()),
    parsePatch: parseKeyPatch,
  });
  const add = (input: NewKey): CreatedKey => {
    const key = addKey(book, input, clock.nowMs());
    return { ...viewKey(key), secret: key.secret };
  };
  const remove = (apiKey: string): SimKeyView | undefined => {
    const key = deleteKey(book, apiKey, clock.nowMs());
    return key === undefined ? undefined : viewKey(key);
  };
  const controls = core.controls(() => { book = fresh(); });
  const state: KrakenSimulatorState = {
    ...controls,
    listKeys: keys.listKeys,
    getKey: keys.getKey,
    patchKey: keys.patchKey,
    addKey: add,
    deleteKey: remove,
  };
  const admin = core.adminControls({ ...keys.adminKeys, create: (body) => add(parseNewKey(body)), remove }, controls);
  return { state, clock, core, admin, book: () => book };
}
