// Pure decisions of Lease-based leader election (coordination.k8s.io/v1), after client-go's
// leaderelection package: a lease is valid for leaseDuration after the moment this process last saw
// it change (its own clock, never the writer's renewTime, so clock skew between nodes is harmless);
// a released lease (no holder) may be taken at once.

/** The parts of a Lease's spec that election reads and writes. */
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** When this process last saw the lease record change, and what it was. */
export interface Observation {
  fingerprint: string;
  atMs: number;
}

/** What to do with the lease now. */
export type LeaseAction =
  | { kind: 'create' }
  | { kind: 'renew' }
  | { kind: 'takeover' }
  | { kind: 'wait'; holder: string; expiresInMs: number };

/** Identifies a record: a renewal by the holder changes it, so a live leader is never taken over. */
export function fingerprint(record: LeaseRecord | undefined): string {
  return record ? `${record.holderIdentity ?? ''}|${record.renewTime ?? ''}|${record.leaseTransitions ?? 0}` : '';
}

/** The observation after seeing `record` at `nowMs` (unchanged records keep their first sighting). */
export function observe(previous: Observation | undefined, record: LeaseRecord | undefined, nowMs: number): Observation {
  const print = fingerprint(record);
  return previous?.fingerprint === print ? previous : { fingerprint: print, atMs: nowMs };
}

/** Who is campaigning, and for how long a lease it asks. */
export interface Candidate {
  identity: string;
  leaseDurationMs: number;
}

/** Decides for `me` given the lease (undefined: none exists) and when it was last seen changing. */
export function decide(record: LeaseRecord | undefined, me: Candidate, seen: Observation, nowMs: number): LeaseAction {
  const { identity, leaseDurationMs } = me;
  if (!record) return { kind: 'create' };
  const holder = record.holderIdentity ?? '';
  if (holder === identity) return { kind: 'renew' };
  if (holder === '') return { kind: 'takeover' };
  const expiresInMs = seen.atMs + leaseDurationMs - nowMs;
  return expiresInMs <= 0 ? { kind: 'takeover' } : { kind: 'wait', holder, expiresInMs };
}

/** Kubernetes MicroTime (RFC 3339 with microseconds) for `date`. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The record to write for an action this process takes. */
export function nextRecord(action: 'create' | 'renew' | 'takeover', current: LeaseRecord | undefined, me: Candidate, now: Date): LeaseRecord {
  const time = microTime(now);
  const base = { holderIdentity: me.identity, leaseDurationSeconds: Math.ceil(me.leaseDurationMs / 1000), renewTime: time };
  if (action === 'renew') return { ...current, ...base };
  const transitions = (current?.leaseTransitions ?? 0) + (action === 'takeover' ? 1 : 0);
  return { ...base, acquireTime: time, leaseTransitions: transitions };
}

/** The record that hands the lease back: no holder, so a standby takes it without waiting. */
export function releasedRecord(current: LeaseRecord, now: Date): LeaseRecord {
  return { ...current, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) };
}
