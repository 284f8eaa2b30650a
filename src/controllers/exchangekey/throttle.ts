// At most maxConcurrent dependents rolling at once per scope (a RotationPolicy, or one key), so a
// rotation of many keys never restarts a whole trading floor at once. Slots are taken
// synchronously (Node runs one reconcile step at a time), so two keys cannot both take the last
// one; after a restart, what other keys hold is read back from their cached status.

/** Slots held per key in a scope, as recorded in the keys' cached status. */
export type RecordedHolds = (scope: string) => ReadonlyMap<string, number>;

/** Hands out rollout slots per scope. */
export class RolloutThrottle {
  private readonly held = new Map<string, Map<string, number>>();
  private readonly recorded: RecordedHolds;

  constructor(recorded: RecordedHolds) {
    this.recorded = recorded;
  }

  /** Slots `self` could still take in `scope` under `limit`. */
  available(scope: string, self: string, limit: number, ownHeld: number): number {
    return Math.max(0, limit - this.heldByOthers(scope, self) - ownHeld);
  }

  /** Takes up to `wanted` slots for `self`; returns how many it got. */
  acquire(scope: string, self: string, request: { wanted: number; limit: number; ownHeld: number }): number {
    const granted = Math.min(request.wanted, this.available(scope, self, request.limit, request.ownHeld));
    this.set(scope, self, request.ownHeld + granted);
    return granted;
  }

  /** Records how many slots `self` holds now (after each status write). */
  set(scope: string, self: string, count: number): void {
    let keys = this.held.get(scope);
    if (!keys) {
      keys = new Map();
      this.held.set(scope, keys);
    }
    if (count > 0) keys.set(self, count);
    else keys.delete(self);
  }

  private heldByOthers(scope: string, self: string): number {
    const recorded = this.recorded(scope);
    const mine = this.held.get(scope) ?? new Map<string, number>();
    const keys = new Set([...recorded.keys(), ...mine.keys()]);
    keys.delete(self);
    let total = 0;
    for (const key of keys) total += Math.max(recorded.get(key) ?? 0, mine.get(key) ?? 0);
    return total;
  }
}
