// The key half of a simulator's control surface, shared by every venue: list, get (the newest key
// with an id, so a live key wins over an older deleted one) and patch, as views without secrets,
// plus the /__sim/keys hooks over the same functions.

import type { AdminKeys } from './admin.ts';

/** How a venue's keys are stored, viewed and patched. */
export interface KeyStore<K, View, Patch> {
  /** Every key, deleted ones included, oldest first. */
  keys(): readonly K[];
  idOf(key: K): string;
  /** The key without its secret. */
  view(key: K): View;
  /** Applies a patch to the live key with this id; undefined when there is none. */
  patch(id: string, patch: Patch): K | undefined;
  /** Reads a patch from admin JSON; throws a readable Error when malformed. */
  parsePatch(body: unknown): Patch;
}

/** The key controls tests and the admin API use. */
export interface KeyControls<View, Patch> {
  listKeys: () => View[];
  getKey: (id: string) => View | undefined;
  patchKey: (id: string, patch: Patch) => View | undefined;
  /** The same, for /__sim/keys. */
  adminKeys: AdminKeys;
}

/** Builds the key controls over a venue's store. */
export function keyControls<K, View, Patch>(store: KeyStore<K, View, Patch>): KeyControls<View, Patch> {
  const listKeys = (): View[] => store.keys().map((k) => store.view(k));
  const getKey = (id: string): View | undefined => {
    const key = store.keys().filter((k) => store.idOf(k) === id).at(-1);
    return key === undefined ? undefined : store.view(key);
  };
  const patchKey = (id: string, patch: Patch): View | undefined => {
    const key = store.patch(id, patch);
    return key === undefined ? undefined : store.view(key);
  };
  return {
    listKeys,
    getKey,
    patchKey,
    adminKeys: { list: listKeys, get: getKey, patch: (id, body) => patchKey(id, store.parsePatch(body)) },
  };
}
