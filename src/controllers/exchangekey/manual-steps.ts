// Steps of the manual path (spec.exchange: manual), where a human creates and deletes keys in the
// venue's UI. Taking a key from the handoff Secret goes through the pending Secret, so a restart
// resumes exactly as after an adapter's create; probing an old key is read-only and simply
// repeated. Key material stays in Scratch or local variables: only masked ids are logged.
import type { V1Secret } from '@kubernetes/client-node';
import { isEnvelopeError } from '../../crypto/index.ts';
import { ExchangeError } from '../../exchanges/types.ts';
import { emit, keyCheckFor, type Deps, type KeyCheck, type Scratch } from './deps.ts';
import { persistPending } from './exchange-steps.ts';
import { deletionAcknowledged } from './manual.ts';
import { DATA_VERSION, PREVIOUS_PREFIX, credentialsOf, decodeMaterial, withoutPrevious, type KeyMaterial } from './material.ts';
import type { Observed } from './observed.ts';
import type { Step } from './plan.ts';
import { EVENT_KEY_RECEIVED } from './reasons.ts';
import { pendingMetadata, pendingStateOf, secretOf } from './secrets.ts';
import { maskKeyId, secretNameOf } from './spec.ts';

type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;

/** Copies a key the human put in the handoff Secret into the pending Secret, if exkey does not know it yet. */
export async function takeHandoff(step: StepOf<'TakeHandoff'>, o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const name = o.key.spec.manual?.handoffSecretRef.name ?? '';
  const secret = name ? await deps.secrets.get(o.key.metadata.namespace, name) : undefined;
  const material = secret ? handoffMaterial(secret, step.version, deps.clock.now().toISOString()) : undefined;
  if (!material) return { ...o, handoffEmpty: true };
  const keyId = maskKeyId(material.apiKey);
  // Masked ids are all status keeps: a key already issued, or one refused for this request, is
  // not taken again (the human has not put a new one in yet).
  const known = [...(o.key.status?.keys ?? []).map((k) => k.keyId), o.key.status?.manual?.rejected?.keyId];
  if (known.includes(keyId)) return { ...o, handoffEmpty: true };
  scratch.pendingData = await persistPending(o.key, material, deps);
  scratch.pending = material;
  emit(deps, o.key, { type: 'Normal', reason: EVENT_KEY_RECEIVED, message: `took key ${keyId} from Secret ${name} as key version ${step.version}` });
  deps.log.info({ version: step.version, keyId }, 'key taken from the handoff Secret');
  return { ...o, pending: pendingStateOf(secretOf(pendingMetadata(o.key, material), {})) };
}

// The key in the handoff Secret, or undefined while it holds none (a key id plus a secret or private key).
function handoffMaterial(secret: V1Secret, version: number, createdAt: string): KeyMaterial | undefined {
  const data = secret.data ?? {};
  const read = (field: string): string | undefined => {
    const value = data[field] === undefined ? undefined : Buffer.from(data[field], 'base64').toString('utf8').trim();
    return value === '' ? undefined : value;
  };
  const apiKey = read('apiKey');
  const apiSecret = read('apiSecret');
  const privateKey = read('privateKey');
  if (!apiKey || (!apiSecret && !privateKey)) return undefined;
  const material: KeyMaterial = { version, exchange: 'manual', apiKey, createdAt };
  if (apiSecret) material.apiSecret = apiSecret;
  if (privateKey) material.privateKey = privateKey;
  const passphrase = read('passphrase');
  if (passphrase) material.passphrase = passphrase;
  return material;
}

/** Rotation: asks the venue whether the old key versions a human was asked to delete still work. */
export async function probeOld(o: Observed, deps: Deps): Promise<Observed> {
  const current = o.key.status?.currentVersion ?? 0;
  const ids = (o.key.status?.keys ?? []).filter((k) => k.version !== current && k.state !== 'Revoked').map((k) => k.keyId ?? '****');
  const live = await stillLive(o, deps, ids, await publishedMaterial(o, deps));
  return live.length === 0 ? { ...o, oldRevoked: true } : { ...o, stillLive: live };
}

/** Deletion: the same for every live key version, the pending one included. */
export async function probeAll(o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const ids = (o.key.status?.keys ?? []).filter((k) => k.state !== 'Revoked').map((k) => k.keyId ?? '****');
  const materials = await publishedMaterial(o, deps);
  if (scratch.pending) {
    materials.push(scratch.pending);
    ids.push(maskKeyId(scratch.pending.apiKey));
  }
  const unique = [...new Set(ids)];
  const live = await stillLive(o, deps, unique, materials);
  return live.length === 0 ? { ...o, revokedAll: { count: unique.length } } : { ...o, stillLive: live };
}

// Masked ids the venue still accepts, or that exkey cannot probe and nobody acknowledged.
async function stillLive(o: Observed, deps: Deps, ids: readonly string[], materials: readonly KeyMaterial[]): Promise<string[]> {
  const check = keyCheckFor(deps, o.key);
  const live: string[] = [];
  for (const id of ids) {
    if (deletionAcknowledged(o.key, [id])) continue;
    const material = materials.find((m) => maskKeyId(m.apiKey) === id);
    if (check && material && !(await accepted(check, material))) {
      deps.log.info({ keyId: id }, 'the venue refuses a key a human was asked to delete');
      continue;
    }
    live.push(id);
  }
  return live;
}

// Refused as unknown or deleted ('auth') means gone; a key the venue knows but will not serve from
// here ('permission') still exists. Anything retryable is reported and retried with backoff.
async function accepted(check: KeyCheck, material: KeyMaterial): Promise<boolean> {
  try {
    await check(credentialsOf(material));
    return true;
  } catch (err) {
    if (err instanceof ExchangeError && err.kind === 'auth') return false;
    if (err instanceof ExchangeError && err.kind === 'permission') return true;
    throw err;
  }
}

// Both versions the published Secret carries (current and previous.*); an unreadable one is skipped,
// so its key needs the human's acknowledgement instead.
async function publishedMaterial(o: Observed, deps: Deps): Promise<KeyMaterial[]> {
  const { namespace } = o.key.metadata;
  const name = secretNameOf(o.key);
  const secret = await deps.secrets.get(namespace, name);
  if (!secret) return [];
  const data = secret.data ?? {};
  const previous = Object.fromEntries(
    Object.entries(data).filter(([k]) => k.startsWith(PREVIOUS_PREFIX)).map(([k, v]) => [k.slice(PREVIOUS_PREFIX.length), v]),
  );
  const found: KeyMaterial[] = [];
  for (const part of [withoutPrevious(data), previous]) {
    const version = Number(Buffer.from(part[DATA_VERSION] ?? '', 'base64').toString());
    if (!Number.isInteger(version) || version <= 0) continue;
    try {
      found.push(await decodeMaterial(secretOf(secret.metadata ?? {}, part), { namespace, name, version }, deps.encryption));
    } catch (err) {
      if (!isEnvelopeError(err)) throw err;
    }
  }
  return found;
}
