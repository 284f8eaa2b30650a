// Per-ExchangeKey gauges, computed from the informer cache when Prometheus scrapes (no state of
// their own, so a key that goes away stops being reported): readiness, degradation, current
// version, the current key's age, its exchange-imposed expiry and the next scheduled rotation.
import { Gauge } from 'prom-client';
import type { ExchangeKey } from '../api/v1alpha1/index.ts';
import type { Clock } from '../runtime/clock.ts';

const LABELS = ['namespace', 'name', 'exchange'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

/** Where the gauges read keys from: the operator's cache, and its clock for ages. */
export interface KeySource {
  keys(): readonly ExchangeKey[];
  clock: Clock;
}

let source: KeySource | undefined;

/** Points the per-key gauges at a cache (the active controller's); undefined reports nothing. */
export function reportKeysFrom(next: KeySource | undefined): void {
  source = next;
}

function labelsOf(key: ExchangeKey): Labels {
  return { namespace: key.metadata.namespace, name: key.metadata.name, exchange: key.spec.exchange };
}

function conditionIs(key: ExchangeKey, type: string): number {
  return key.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true ? 1 : 0;
}

function currentKey(key: ExchangeKey): NonNullable<NonNullable<ExchangeKey['status']>['keys']>[number] | undefined {
  return key.status?.keys?.find((k) => k.version === key.status?.currentVersion);
}

function seconds(iso: string | undefined): number | undefined {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

// A gauge whose samples are recomputed from the cache on every scrape.
function keyGauge(name: string, help: string, value: (key: ExchangeKey, nowS: number) => number | undefined): Gauge<(typeof LABELS)[number]> {
  return new Gauge({
    name,
    help,
    labelNames: LABELS,
    collect() {
      this.reset();
      if (!source) return;
      const nowS = source.clock.nowMs() / 1000;
      for (const key of source.keys()) {
        const v = value(key, nowS);
        if (v !== undefined) this.set(labelsOf(key), v);
      }
    },
  });
}

export const keyReady = keyGauge('exkey_key_ready', 'Whether the ExchangeKey is Ready (1) or not (0).', (k) => conditionIs(k, 'Ready'));
export const keyDegraded = keyGauge('exkey_key_degraded', 'Whether the ExchangeKey is Degraded (1) or not (0).', (k) => conditionIs(k, 'Degraded'));
export const keyVersion = keyGauge('exkey_key_current_version', 'The key version consumers are given.', (k) => k.status?.currentVersion);
export const keyAge = keyGauge('exkey_key_age_seconds', 'Age of the current key version.', (k, nowS) => {
  const created = seconds(currentKey(k)?.createdAt);
  return created === undefined ? undefined : Math.max(0, nowS - created);
});
export const keyExpiry = keyGauge('exkey_key_expiry_timestamp_seconds', 'When the exchange will stop accepting the current key (only keys the venue expires).', (k) => seconds(currentKey(k)?.expiresAt));
export const keyNextRotation = keyGauge('exkey_key_next_rotation_timestamp_seconds', 'When the RotationPolicy schedules the next rotation.', (k) => seconds(k.status?.nextRotationTime));
