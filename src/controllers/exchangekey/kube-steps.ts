// Steps that only touch Kubernetes: status, finalizers, master credentials, and exkey's Secrets.
import type { V1Secret } from '@kubernetes/client-node';
import { FINALIZER, type RotationStatus } from '../../api/v1alpha1/index.ts';
import { driftDetected, rotationDuration, rotationsCompleted } from '../../observability/metrics.ts';
import { isAlreadyExists } from '../../runtime/kube/errors.ts';
import { isEnvelopeError } from '../../crypto/index.ts';
import type { Credentials } from '../../exchanges/types.ts';
import type { Deps, Scratch } from './deps.ts';
import { emit, required } from './deps.ts';
import {
  DATA_ENVELOPE, DATA_VERSION, PREVIOUS_PREFIX, asPrevious, decodeMaterial, encodeMaterial, hasPrevious, previousEntries, withoutPrevious,
} from './material.ts';
import { isNewFinding, type DriftStatus } from './drift.ts';
import { mirrorKeyVersion } from './mirror.ts';
import { observePhaseChange } from '../../observability/rotation-metrics.ts';
import type { Observed } from './observed.ts';
import type { Step } from './plan.ts';
import { REASON_MASTER_CREDENTIALS_INVALID, REASON_MASTER_CREDENTIALS_NOT_FOUND } from './reasons.ts';
import { conflictState, pendingStateOf, publishedMetadata, publishedStateOf, secretOf, isOwnedBy, versionOf } from './secrets.ts';
import { slotsHeld } from './rollout-state.ts';
import { encryptionSettingsOf, pendingSecretNameOf, secretNameOf, throttleScopeOf } from './spec.ts';

type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;

/** Writes status and announces the transition. */
export async function writeStatus(step: StepOf<'WriteStatus'>, o: Observed, deps: Deps): Promise<Observed> {
  const before = o.key.status?.rotation;
  const key = await deps.keys.replaceStatus(o.key, step.status);
  if (before && !step.status.rotation) recordRotation(before, deps.clock.now());
  observePhaseChange(key.metadata.uid, before, step.status.rotation, deps.clock.nowMs());
  countDrift(o.key.status?.drift, step.status.drift, key.spec.exchange);
  deps.throttle.set(throttleScopeOf(key), `${key.metadata.namespace}/${key.metadata.name}`, slotsHeld(step.status.rotation?.dependents));
  for (const event of step.events) emit(deps, key, event);
  const startedHere = !before && step.status.rotation?.phase === 'Registering';
  if (!startedHere) return { ...o, key };
  // This reconcile opened the phase: no pending key can exist for it yet (a leftover from an
  // earlier rotation was already seen by gather), so there is nothing to read back.
  return { ...o, key, registeringStartedHere: true, pending: o.pendingLeftover ? o.pending : null };
}

function countDrift(before: DriftStatus | undefined, after: DriftStatus | undefined, exchange: string): void {
  if (after && isNewFinding(before, after)) driftDetected.inc({ exchange, kind: after.kind });
}

function recordRotation(rotation: RotationStatus, now: Date): void {
  const reason = rotation.reason ?? 'unknown';
  rotationsCompleted.inc({ reason });
  if (rotation.startedAt) rotationDuration.observe({ reason }, (now.getTime() - Date.parse(rotation.startedAt)) / 1000);
}

/** Adds exkey's finalizer before any external side effect. */
export async function addFinalizer(o: Observed, deps: Deps): Promise<Observed> {
  const finalizers = [...(o.key.metadata.finalizers ?? []), FINALIZER];
  return { ...o, key: await deps.keys.setFinalizers(o.key, finalizers) };
}

/** Releases the object for deletion. */
export async function removeFinalizer(step: StepOf<'RemoveFinalizer'>, o: Observed, deps: Deps): Promise<Observed> {
  const finalizers = (o.key.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
  const key = await deps.keys.setFinalizers(o.key, finalizers);
  if (step.event) emit(deps, o.key, step.event);
  return { ...o, key };
}

/** Reads the managing key from spec.masterCredentialsRef. */
export async function loadMaster(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const ref = o.key.spec.masterCredentialsRef?.name ?? '';
  const secret = ref ? await deps.secrets.get(o.key.metadata.namespace, ref) : undefined;
  if (!secret) {
    const message = `master credentials Secret "${ref}" not found in namespace ${o.key.metadata.namespace}`;
    return { ...o, master: { kind: 'missing', failure: { reason: REASON_MASTER_CREDENTIALS_NOT_FOUND, message, retryable: true } } };
  }
  const data = secret.data ?? {};
  const read = (field: string): string | undefined => {
    const value = data[field];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8').trim();
  };
  const keyId = read('apiKey');
  const apiSecret = read('apiSecret');
  if (!keyId || !apiSecret) {
    const message = `master credentials Secret "${ref}" must have non-empty data keys apiKey and apiSecret`;
    return { ...o, master: { kind: 'missing', failure: { reason: REASON_MASTER_CREDENTIALS_INVALID, message, retryable: true } } };
  }
  const creds: Credentials = { keyId, secret: apiSecret };
  const passphrase = read('passphrase');
  if (passphrase) creds.passphrase = passphrase;
  scratch.master = creds;
  return { ...o, master: { kind: 'loaded' } };
}

/** Reads the pending Secret fresh; an unreadable one is reported and discarded (the sweep revokes its key). */
export async function loadPending(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const { namespace } = o.key.metadata;
  const name = pendingSecretNameOf(o.key);
  const secret = await deps.secrets.get(namespace, name);
  if (!secret || !isOwnedBy(secret, o.key)) return { ...o, pending: null };
  const state = pendingStateOf(secret);
  try {
    scratch.pending = await decodeMaterial(secret, { namespace, name: secretNameOf(o.key), version: state.version }, deps.encryption);
    scratch.pendingData = secret.data ?? {};
    return { ...o, pending: state };
  } catch (err) {
    if (!isEnvelopeError(err)) throw err;
    const message = `pending key version ${state.version} cannot be opened (${err.message}); discarding it`;
    emit(deps, o.key, { type: 'Warning', reason: 'PendingKeyUnreadable', message });
    await deps.secrets.delete(namespace, name);
    return { ...o, pending: null };
  }
}

/** Removes the pending Secret (after publication, rejection, or as a leftover). */
export async function deletePending(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  await deps.secrets.delete(o.key.metadata.namespace, pendingSecretNameOf(o.key));
  delete scratch.pending;
  delete scratch.pendingData;
  return { ...o, pending: null, pendingLeftover: false };
}

/** Writes the pending version into the published Secret (create, or replace our own). */
export async function publish(step: StepOf<'Publish'>, o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const material = required(scratch.pending, 'pending key material');
  const { namespace } = o.key.metadata;
  const name = secretNameOf(o.key);
  // The pending data is already sealed for this Secret and version: publication is a copy.
  const data = scratch.pendingData ?? (await encodeMaterial(material, encryptionSettingsOf(o.key), { namespace, name, version: step.version }, deps.encryption));
  if (await mirrorKeyVersion(o.key, material, deps.mirror)) {
    deps.log.info({ version: material.version }, 'key version written to the Vault KV mirror');
  }
  const metadata = publishedMetadata(o.key, material);
  const written = (secret: V1Secret): Observed => ({
    ...o, published: publishedStateOf(o.key, secret), publishedVerified: true, finalSweepDue: o.swept === true,
  });
  // gather saw no Secret: create it straight away; if one appeared since, read it and decide.
  if (o.published.kind === 'absent') {
    const created = await createUnlessExists(deps, secretOf(metadata, data));
    if (created) return written(created);
  }
  const existing = await deps.secrets.get(namespace, name);
  if (!existing) return written(await deps.secrets.create(secretOf(metadata, data)));
  if (!isOwnedBy(existing, o.key)) return { ...o, published: conflictState(o.key) };
  const carry = carriedPrevious(o, existing);
  return written(await deps.secrets.replace(secretOf({ ...metadata, resourceVersion: existing.metadata?.resourceVersion }, { ...data, ...carry })));
}

// Keep the outgoing version next to the new one (never a tampered one); a repeated publish
// (after a crash) keeps what the first one carried over.
function carriedPrevious(o: Observed, existing: V1Secret): Record<string, string> {
  if (o.published.kind === 'tampered') return {};
  const previousVersion = o.key.status?.rotation?.previousVersion;
  const current = existing.data ?? {};
  const outgoing = previousVersion !== undefined && versionOf(existing) === previousVersion;
  return outgoing ? asPrevious(current) : previousEntries(current);
}

/** Opens every envelope of a Secret someone else changed; unopenable ones mark it tampered. */
export async function verifyPublished(o: Observed, deps: Deps): Promise<Observed> {
  const { namespace } = o.key.metadata;
  const name = secretNameOf(o.key);
  const secret = await deps.secrets.get(namespace, name);
  const state = publishedStateOf(o.key, secret);
  if (!secret || state.kind !== 'present') return { ...o, published: state };
  const data = secret.data ?? {};
  const previousVersion = Number(Buffer.from(data[`${PREVIOUS_PREFIX}${DATA_VERSION}`] ?? '', 'base64').toString());
  const envelopes = [{ envelope: data[DATA_ENVELOPE], version: state.version }, { envelope: data[`${PREVIOUS_PREFIX}${DATA_ENVELOPE}`], version: previousVersion }];
  try {
    for (const { envelope, version } of envelopes) {
      if (envelope === undefined) continue;
      await decodeMaterial(secretOf(secret.metadata ?? {}, { [DATA_ENVELOPE]: envelope }), { namespace, name, version }, deps.encryption);
    }
    return { ...o, published: state, publishedVerified: true };
  } catch (err) {
    if (!isEnvelopeError(err) || err.retryable) throw err;
    const message = `Secret ${name} was changed outside exkey and no longer opens: ${err.message}`;
    return { ...o, published: { kind: 'tampered', version: state.version, message } };
  }
}

/** Removes the outgoing version from the Secret once it is revoked. */
export async function dropPrevious(o: Observed, deps: Deps): Promise<Observed> {
  const { namespace } = o.key.metadata;
  const existing = await deps.secrets.get(namespace, secretNameOf(o.key));
  if (existing && isOwnedBy(existing, o.key) && hasPrevious(existing.data)) {
    const trimmed = await deps.secrets.replace({ ...existing, data: withoutPrevious(existing.data ?? {}) });
    return { ...o, published: publishedStateOf(o.key, trimmed), publishedVerified: true };
  }
  return { ...o, published: publishedStateOf(o.key, existing) };
}

async function createUnlessExists(deps: Deps, secret: V1Secret): Promise<V1Secret | undefined> {
  try {
    return await deps.secrets.create(secret);
  } catch (err) {
    if (isAlreadyExists(err)) return undefined;
    throw err;
  }
}
