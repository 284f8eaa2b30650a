// The manual path (spec.exchange: manual): venues with no key-management API, where a human creates
// and deletes keys in the venue's UI. Pure. exkey runs the same phases as for every venue; what
// differs is who acts in Registering (a human puts the key in the handoff Secret) and Revoking (a
// human deletes the old key, exkey probes it until the venue refuses it), and status.manual says
// what the human must do now. Never secret material: key ids are masked.
import { ANNOTATION_DELETED_KEY, type ExchangeKey, type KeyVersionStatus, type ManualStatus, type RotationStatus } from '../../api/v1alpha1/index.ts';
import { FUND_MOVING_PERMISSIONS } from '../../exchanges/types.ts';
import { parseDuration } from '../rotation/duration.ts';
import type { EventSpec } from './deps.ts';
import type { Observed } from './observed.ts';
import { EVENT_AWAITING_HUMAN, ROTATION_KEY_REVOKED_EXTERNALLY } from './reasons.ts';
import { isDeleting, permissionsOf } from './spec.ts';

/** spec.exchange of the manual path. */
export const MANUAL_EXCHANGE = 'manual';
/** spec.manual.venue of venues with no read-only call: nothing is validated or probed. */
export const VENUE_NONE = 'none';
/** spec.manual.pollInterval's default. */
const DEFAULT_POLL = '30s';

/** True when a human manages this key's versions at the venue. */
export function isManual(key: ExchangeKey): boolean {
  return key.spec.exchange === MANUAL_EXCHANGE;
}

/** The venue a manual key is for (its validator's name), or "none". */
export function manualVenue(key: ExchangeKey): string {
  return key.spec.manual?.venue ?? VENUE_NONE;
}

/** True when exkey can ask the venue about this key's versions: every adapter, and manual venues with a read-only call. */
export function canProbe(key: ExchangeKey): boolean {
  return !isManual(key) || manualVenue(key) !== VENUE_NONE;
}

/** How often the handoff Secret is looked at and an old key probed. */
export function manualPollMs(key: ExchangeKey): number {
  try {
    const ms = parseDuration(key.spec.manual?.pollInterval ?? DEFAULT_POLL);
    if (ms > 0) return ms;
  } catch {
    // The schema's pattern admits only valid durations; an old object falls back to the default.
  }
  return parseDuration(DEFAULT_POLL);
}

/** Name of the venue for messages: the manual venue, or the adapter. */
export function venueName(key: ExchangeKey): string {
  return isManual(key) ? manualVenue(key) : key.spec.exchange;
}

/** True when the exkey.io/deleted-key annotation confirms every one of these masked ids. */
export function deletionAcknowledged(key: ExchangeKey, maskedIds: readonly string[]): boolean {
  const listed = new Set((key.metadata.annotations?.[ANNOTATION_DELETED_KEY] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  return maskedIds.every((id) => listed.has(id));
}

/** Permissions a manual key must not have: the fund-moving ones, unless the spec allows them. */
export function forbiddenPermissions(key: ExchangeKey): string[] {
  const requested = new Set<string>(key.spec.allowWithdraw === true ? key.spec.permissions ?? [] : []);
  return FUND_MOVING_PERMISSIONS.filter((p) => !requested.has(p));
}

/** The status fields status.manual is computed from (after this reconcile's transition). */
export interface ManualInput {
  rotation: RotationStatus | undefined;
  keys: KeyVersionStatus[];
  currentVersion: number;
}

/** status.manual and the Event that announces a new request (one per request). */
export interface ManualDecision {
  manual: ManualStatus | undefined;
  events: EventSpec[];
}

/** What the human must do now, for a manual key; undefined for every other key. */
export function manualFields(o: Observed, f: ManualInput, now: Date): ManualDecision {
  if (!isManual(o.key)) return { manual: undefined, events: [] };
  const recorded = o.key.status?.manual;
  const request = requestOf(o, f);
  const same = recorded !== undefined && sameRequest(recorded, request);
  const rejected = rejectionOf(o, request, same ? recorded : undefined);
  const manual: ManualStatus = { ...request, ...(rejected ? { rejected } : {}) };
  if (request.action !== 'None') manual.since = same && recorded.since ? recorded.since : now.toISOString();
  const events: EventSpec[] = [];
  if (!same && request.action !== 'None') events.push({ type: 'Normal', reason: EVENT_AWAITING_HUMAN, message: request.instructions ?? request.action });
  return { manual, events };
}

function sameRequest(a: ManualStatus, b: ManualStatus): boolean {
  return a.action === b.action && a.version === b.version && (a.deleteKeyIds ?? []).join(',') === (b.deleteKeyIds ?? []).join(',');
}

/** The request as it stands: create a key, delete keys, or nothing. */
function requestOf(o: Observed, f: ManualInput): ManualStatus {
  const key = o.key;
  if (isDeleting(key)) return deleteRequest(key, liveIds(o, f.keys), 'the ExchangeKey is being deleted with deletionPolicy Revoke');
  const r = f.rotation;
  if (r?.phase === 'Registering') return createRequest(o, f, r);
  if (r?.phase === 'Revoking') {
    const old = f.keys.filter((k) => k.version !== f.currentVersion && k.state !== 'Revoked').map((k) => k.keyId ?? '****');
    const why = r.emergency ? `key version ${r.previousVersion ?? '?'} is treated as compromised: delete it at once` : `key version ${r.version} replaced it and every dependent runs it`;
    return deleteRequest(key, old, why);
  }
  return { action: 'None', instructions: 'Nothing to do at the venue.' };
}

function createRequest(o: Observed, f: ManualInput, r: RotationStatus): ManualStatus {
  const key = o.key;
  const venue = manualVenue(key);
  const handoff = key.spec.manual?.handoffSecretRef.name ?? '';
  const required = permissionsOf(key);
  const forbidden = forbiddenPermissions(key);
  const ips = key.spec.ipAllowlist ?? [];
  const current = f.keys.find((k) => k.version === f.currentVersion && k.state !== 'Revoked');
  // A key the venue already refuses (KeyRevokedExternally) needs no deleting.
  const compromised = r.emergency && current && r.reason !== ROTATION_KEY_REVOKED_EXTERNALLY ? `Key ${current.keyId ?? '****'} is treated as compromised: delete it at ${venue} now. ` : '';
  const check = canProbe(key) ? `exkey checks the key with ${venue}'s read-only call before publishing it` : `${venue} has no read-only call: exkey publishes the key unchecked`;
  const instructions = `${compromised}Create a new API key at ${venue} for ${key.metadata.namespace}/${key.metadata.name} (key version ${r.version}) ` +
    `with exactly these permissions: ${required.join(', ')}; never ${forbidden.join(' or ') || 'anything beyond them'}; ` +
    `IP allowlist: ${ips.length > 0 ? ips.join(', ') : 'none'}. Put it in Secret ${handoff} (data keys apiKey and apiSecret or privateKey, ` +
    `and passphrase if the venue gives one). ${check}.`;
  return {
    action: 'CreateKey', version: r.version, instructions, requiredPermissions: required, forbiddenPermissions: forbidden,
    ipAllowlist: [...ips], handoffSecret: handoff,
  };
}

function deleteRequest(key: ExchangeKey, ids: string[], why: string): ManualStatus {
  if (ids.length === 0) return { action: 'None', instructions: 'Nothing to do at the venue.' };
  const venue = manualVenue(key);
  const confirm = canProbe(key)
    ? `exkey probes ${ids.length === 1 ? 'it' : 'them'} with ${venue}'s read-only call until ${venue} refuses ${ids.length === 1 ? 'it' : 'them'}.`
    : `${venue} has no read-only call: once done, annotate the ExchangeKey ${ANNOTATION_DELETED_KEY}=${ids.join(',')}.`;
  return { action: 'DeleteKey', instructions: `Delete key ${ids.join(', ')} at ${venue} (${why}). ${confirm}`, deleteKeyIds: ids };
}

/** Masked ids of every key version still live, the pending one included. */
function liveIds(o: Observed, keys: readonly KeyVersionStatus[]): string[] {
  const ids = keys.filter((k) => k.state !== 'Revoked').map((k) => k.keyId ?? '****');
  const pendingId = o.pending?.maskedKeyId;
  if (pendingId && !ids.includes(pendingId)) ids.push(pendingId);
  return ids;
}

// A refusal made in this reconcile, else the one recorded for the same request.
function rejectionOf(o: Observed, request: ManualStatus, recorded: ManualStatus | undefined): ManualStatus['rejected'] {
  if (request.action !== 'CreateKey') return undefined;
  const v = o.validation;
  if (v && 'failure' in v && v.version === request.version) return { keyId: v.keyId ?? '****', message: v.failure.message };
  return recorded?.rejected;
}

/** A sentence for conditions: what exkey waits for, or undefined when it waits for no human. */
export function awaitingText(manual: ManualStatus | undefined): string | undefined {
  if (!manual || manual.action === 'None') return undefined;
  const rejected = manual.rejected ? `key ${manual.rejected.keyId} was refused (${manual.rejected.message}); ` : '';
  return `waiting for a human: ${rejected}${manual.instructions ?? manual.action}`;
}
