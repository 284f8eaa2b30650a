// Steps that talk to the exchange. Each is safe to repeat after a crash: registration is preceded
// by an orphan sweep unless this very reconcile opened the phase, and every key the exchange
// creates is either persisted in the pending Secret or revoked before the step returns.
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import { generateApiKeyPair } from '../../crypto/key-pair.ts';
import { ExchangeError, type IssuedKey, type KeyRef, type KeyRequest, type OwnedKey } from '../../exchanges/types.ts';
import { adapterFor, emit, keyCheckFor, required, type Deps, type Scratch } from './deps.ts';
import { keyInfoProblems } from './check.ts';
import { credentialsOf, encodeMaterial, type KeyMaterial } from './material.ts';
import { isManual, venueName } from './manual.ts';
import type { Observed } from './observed.ts';
import type { Step } from './plan.ts';
import { EVENT_ORPHAN_REVOKED, EVENT_REGISTERED, EVENT_REVOKED, REASON_VALIDATION_FAILED } from './reasons.ts';
import { pendingMetadata, pendingStateOf, secretOf } from './secrets.ts';
import { encryptionSettingsOf, keyTypeOf, maskKeyId, permissionsOf, secretNameOf } from './spec.ts';

type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;

/** Revokes keys the exchange holds under this object's owner tag that exkey has no record of. */
export async function sweepOrphans(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const adapter = adapterFor(deps, o.key);
  const master = required(scratch.master, 'master credentials');
  const owned = await adapter.listOwned(master, o.key.metadata.uid, o.key.spec.account);
  for (const orphan of owned.filter((k) => !isRecorded(o, scratch, k))) {
    await adapter.revoke(master, refOf(o.key, orphan.keyId));
    emit(deps, o.key, {
      type: 'Normal',
      reason: EVENT_ORPHAN_REVOKED,
      message: `revoked key ${maskKeyId(orphan.keyId)} (version ${orphan.owner.version}) that the exchange held but exkey had not recorded`,
    });
    deps.log.info({ version: orphan.owner.version, keyId: maskKeyId(orphan.keyId) }, 'orphaned exchange key revoked');
  }
  return { ...o, swept: true, finalSweepDue: false };
}

// Recorded = the pending key we hold, or a live version in status whose masked id matches.
function isRecorded(o: Observed, scratch: Scratch, key: OwnedKey): boolean {
  if (scratch.pending && o.pending?.version === key.owner.version && scratch.pending.apiKey === key.keyId) {
    return o.key.status?.rotation?.version === key.owner.version;
  }
  return (o.key.status?.keys ?? []).some(
    (k) => k.version === key.owner.version && k.state !== 'Revoked' && k.keyId === maskKeyId(key.keyId),
  );
}

// What the venue returned (and the private key exkey generated), as one key version's material.
function issuedMaterial(base: Pick<KeyMaterial, 'version' | 'exchange' | 'createdAt'>, issued: IssuedKey, generatedPrivateKey: string | undefined): KeyMaterial {
  const material: KeyMaterial = { ...base, apiKey: issued.credentials.keyId };
  if (issued.credentials.secret !== undefined) material.apiSecret = issued.credentials.secret;
  if (issued.credentials.passphrase !== undefined) material.passphrase = issued.credentials.passphrase;
  const privateKey = generatedPrivateKey ?? issued.credentials.privateKey;
  if (privateKey !== undefined) material.privateKey = privateKey;
  if (issued.expiresAt) material.expiresAt = issued.expiresAt.toISOString();
  return material;
}

/** Creates the key at the exchange and persists it in the pending Secret before anything else. */
export async function register(step: StepOf<'Register'>, o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const adapter = adapterFor(deps, o.key);
  const master = required(scratch.master, 'master credentials');
  const keyType = keyTypeOf(o.key);
  // Asymmetric keys: the venue only ever sees the public half.
  const pair = keyType === 'hmac' ? undefined : await generateApiKeyPair(keyType);
  const request: KeyRequest = {
    permissions: permissionsOf(o.key),
    ipAllowlist: o.key.spec.ipAllowlist ?? [],
    keyType,
    owner: { uid: o.key.metadata.uid, version: step.version },
    ...(o.key.spec.account === undefined ? {} : { account: o.key.spec.account }),
    ...(pair ? { publicKey: pair.publicKeyPem } : {}),
  };
  const issued = await adapter.create(master, request);
  // Crash tests: the key exists at the exchange but nowhere else yet.
  deps.failpoints?.check('after', 'ExchangeCreate', 'Registering');
  const base = { version: step.version, exchange: o.key.spec.exchange, createdAt: deps.clock.now().toISOString() };
  const material = issuedMaterial(base, issued, pair?.privateKeyPem);
  try {
    scratch.pendingData = await persistPending(o.key, material, deps);
  } catch (err) {
    // No durable record of the key: take it back at once. If that fails too, the next sweep does.
    await adapter.revoke(master, refOf(o.key, material.apiKey)).catch((revokeErr: unknown) => {
      deps.log.warn({ err: String(revokeErr), keyId: maskKeyId(material.apiKey) }, 'could not revoke unrecorded key; the next sweep will');
    });
    throw err;
  }
  scratch.pending = material;
  emit(deps, o.key, {
    type: 'Normal',
    reason: EVENT_REGISTERED,
    message: `registered key version ${step.version} (${maskKeyId(material.apiKey)}) at ${o.key.spec.exchange}`,
  });
  const pending = pendingStateOf(secretOf(pendingMetadata(o.key, material), {}));
  return { ...o, pending };
}

/**
 * Writes key material to the pending Secret; returns its data. The envelope is bound to the
 * *published* Secret's namespace, name and version: the pending Secret only holds it until
 * publication copies it there byte for byte.
 */
export async function persistPending(key: ExchangeKey, material: KeyMaterial, deps: Deps): Promise<Record<string, string>> {
  const context = { namespace: key.metadata.namespace, name: secretNameOf(key), version: material.version };
  const data = await encodeMaterial(material, encryptionSettingsOf(key), context, deps.encryption);
  await deps.secrets.create(secretOf(pendingMetadata(key, material), data));
  return data;
}

/** Signed read-only call with the new key; compares what the exchange reports with the spec. */
export async function validate(step: StepOf<'Validate'>, o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const material = required(scratch.pending, 'pending key material');
  const check = keyCheckFor(deps, o.key);
  const at = deps.clock.now().toISOString();
  // A manual venue with no read-only call: the human's key is published unchecked (status says so).
  if (!check) return { ...o, validation: { version: step.version, at } };
  try {
    const info = await check(credentialsOf(material));
    const problems = keyInfoProblems(o.key, info);
    if (problems.length === 0) return { ...o, validation: { version: step.version, at, info } };
    return rejected(o, material, `the exchange reports a key that differs from the spec: ${problems.join('; ')}`);
  } catch (err) {
    if (err instanceof ExchangeError && !err.retryable) {
      return rejected(o, material, `the exchange refused a signed call with the new key: ${err.message} (code ${err.code})`);
    }
    throw err;
  }
}

function rejected(o: Observed, material: KeyMaterial, detail: string): Observed {
  const { version } = material;
  const keyId = maskKeyId(material.apiKey);
  const message = isManual(o.key)
    ? `new key ${keyId} (version ${version}) was refused and not published: ${detail}. exkey cannot delete keys at ${venueName(o.key)}: ` +
      `delete it there, then put a new key into Secret ${o.key.spec.manual?.handoffSecretRef.name ?? ''}`
    : `new key version ${version} failed validation and was revoked: ${detail}`;
  return { ...o, validation: { version, keyId, failure: { reason: REASON_VALIDATION_FAILED, message, retryable: true } } };
}

/** Revokes the pending key after it failed validation. */
export async function revokePending(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const material = required(scratch.pending, 'pending key material');
  await adapterFor(deps, o.key).revoke(required(scratch.master, 'master credentials'), refOf(o.key, material.apiKey));
  emit(deps, o.key, {
    type: 'Warning',
    reason: EVENT_REVOKED,
    message: `revoked rejected key version ${material.version} (${maskKeyId(material.apiKey)})`,
  });
  return { ...o, pendingRevoked: true };
}

/** Deletion: revokes every key exkey created for this object at the exchange. */
export async function revokeAll(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const adapter = adapterFor(deps, o.key);
  const master = required(scratch.master, 'master credentials');
  const owned = await adapter.listOwned(master, o.key.metadata.uid, o.key.spec.account);
  const ids = new Set(owned.map((k) => k.keyId));
  if (scratch.pending) ids.add(scratch.pending.apiKey);
  for (const keyId of ids) await adapter.revoke(master, refOf(o.key, keyId));
  const masked = [...ids].map(maskKeyId).join(', ');
  const message = ids.size === 0 ? 'no keys left at the exchange to revoke' : `revoked ${ids.size} key(s) at ${o.key.spec.exchange}: ${masked}`;
  emit(deps, o.key, { type: 'Normal', reason: EVENT_REVOKED, message });
  return { ...o, revokedAll: { count: ids.size } };
}

/** Revokes every key version at the exchange except the current one (end of a rotation). */
export async function revokeOld(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const adapter = adapterFor(deps, o.key);
  const master = required(scratch.master, 'master credentials');
  const current = o.key.status?.currentVersion ?? 0;
  const owned = await adapter.listOwned(master, o.key.metadata.uid, o.key.spec.account);
  for (const old of owned.filter((k) => k.owner.version !== current)) {
    await adapter.revoke(master, refOf(o.key, old.keyId));
    deps.log.info({ version: old.owner.version, keyId: maskKeyId(old.keyId) }, 'old key version revoked');
  }
  return { ...o, oldRevoked: true };
}

function refOf(key: ExchangeKey, keyId: string): KeyRef {
  return key.spec.account === undefined ? { keyId } : { keyId, account: key.spec.account };
}
