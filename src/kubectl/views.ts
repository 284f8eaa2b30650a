// What `kubectl exkey` prints, as pure functions of the objects read: tables for status and history
// and a metadata-only view of a Secret. Nothing here can print key material: Secret values are
// never read, only the names of data entries and the envelope's public header fields.
import type { V1Secret } from '@kubernetes/client-node';
import type { ExchangeKey } from '../api/v1alpha1/index.ts';

type Condition = NonNullable<NonNullable<ExchangeKey['status']>['conditions']>[number];

/** One row of `kubectl exkey status`. */
export interface StatusRow {
  namespace: string;
  name: string;
  exchange: string;
  ready: string;
  version: string;
  phase: string;
  nextRotation: string;
  problem: string;
}

function condition(key: ExchangeKey, type: string): Condition | undefined {
  return key.status?.conditions?.find((c) => c.type === type);
}

/** The most urgent thing wrong with a key ('' when nothing is). */
export function problemOf(key: ExchangeKey): string {
  const ready = condition(key, 'Ready');
  if (key.metadata.deletionTimestamp) return ready?.status === 'False' ? `deleting: ${ready.message}` : 'deleting';
  if (!ready) return 'not reconciled yet (is the operator running?)';
  if (ready.status !== 'True') return `${ready.reason}: ${ready.message}`;
  const degraded = condition(key, 'Degraded');
  return degraded?.status === 'True' ? `${degraded.reason}: ${degraded.message}` : '';
}

/** Human age or countdown ("in 3d4h", "5m ago") from ISO time `at`. */
export function relative(at: string | undefined, now: Date): string {
  if (!at) return '-';
  const ms = Date.parse(at) - now.getTime();
  if (Number.isNaN(ms)) return '-';
  const abs = Math.abs(ms);
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  const parts: string[] = [];
  let rest = abs;
  for (const [size, unit] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  const text = parts.join('') || '0s';
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** Status rows, keys with problems first (then by namespace and name). */
export function statusRows(keys: readonly ExchangeKey[], now: Date): StatusRow[] {
  const rows = keys.map((key) => {
    const rotation = key.status?.rotation;
    return {
      namespace: key.metadata.namespace,
      name: key.metadata.name,
      exchange: key.spec.exchange,
      ready: condition(key, 'Ready')?.status ?? 'Unknown',
      version: key.status?.currentVersion ? String(key.status.currentVersion) : '-',
      phase: rotation ? `${rotation.phase} v${rotation.version}` : '-',
      nextRotation: relative(key.status?.nextRotationTime, now),
      problem: problemOf(key),
    };
  });
  return rows.sort((a, b) => Number(b.problem !== '') - Number(a.problem !== '') || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** One row of `kubectl exkey history`. */
export interface HistoryRow {
  version: string;
  keyId: string;
  state: string;
  created: string;
  validated: string;
  expires: string;
  revoked: string;
}

/** Every key version in status, newest first. */
export function historyRows(key: ExchangeKey, now: Date): HistoryRow[] {
  return [...(key.status?.keys ?? [])]
    .sort((a, b) => b.version - a.version)
    .map((k) => ({
      version: String(k.version),
      keyId: k.keyId ?? '-',
      state: k.version === key.status?.currentVersion && k.state === 'Active' ? 'Active (current)' : k.state,
      created: relative(k.createdAt, now),
      validated: relative(k.validatedAt, now),
      expires: relative(k.expiresAt, now),
      revoked: relative(k.revokedAt, now),
    }));
}

/** Fields of an envelope that are public by design (docs/envelope-format.md). */
const ENVELOPE_PUBLIC = ['v', 'alg', 'provider', 'keyRef', 'ns', 'name', 'version'] as const;

/** Metadata of an exkey Secret and the public header of its envelopes; never a secret value. */
export function secretView(secret: V1Secret): Record<string, unknown> {
  const data = secret.data ?? {};
  const envelopes: Record<string, Record<string, unknown>> = {};
  for (const entry of Object.keys(data).filter((k) => k === 'envelope' || k.endsWith('.envelope'))) {
    envelopes[entry] = envelopeHeader(data[entry] ?? '');
  }
  const meta = secret.metadata ?? {};
  return {
    name: meta.name,
    namespace: meta.namespace,
    resourceVersion: meta.resourceVersion,
    created: meta.creationTimestamp,
    owner: meta.ownerReferences?.find((r) => r.controller)?.name,
    annotations: Object.fromEntries(Object.entries(meta.annotations ?? {}).filter(([k]) => k.startsWith('exkey.io/'))),
    // Names and sizes only: which entries exist tells an SRE the layout without exposing them.
    dataEntries: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, `${Buffer.from(v, 'base64').length} bytes`])),
    envelopes,
  };
}

function envelopeHeader(base64: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return { error: 'not an exkey envelope' };
    const fields = parsed as Record<string, unknown>;
    return Object.fromEntries(ENVELOPE_PUBLIC.filter((f) => f in fields).map((f) => [f, fields[f]]));
  } catch {
    return { error: 'not an exkey envelope' };
  }
}

/** Renders rows as an aligned table with upper-case headers (kubectl style). */
export function table<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const header = columns.map((c) => c.replace(/([A-Z])/g, '-$1').toUpperCase());
  const cells = rows.map((row) => columns.map((c) => String(row[c])));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]): string => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('   ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
