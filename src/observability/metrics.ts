// exkey's Prometheus metrics (prom-client, default registry, served on /metrics). Names follow
// Prometheus conventions: exkey_<subsystem>_<what>_<unit>, counters end in _total.
import { Counter, Gauge, Histogram } from 'prom-client';

/** Every Kubernetes API request exkey makes, by verb, resource and HTTP status code. */
export const kubeRequests = new Counter({
  name: 'exkey_kube_requests_total',
  help: 'Kubernetes API requests made by exkey, by verb, resource and response code.',
  labelNames: ['verb', 'resource', 'code'] as const,
});

/** Completed rotations (the old key revoked, or the first key issued), by reason. */
export const rotationsCompleted = new Counter({
  name: 'exkey_rotations_completed_total',
  help: 'Rotations that completed, by reason (Initial, Scheduled, Manual, Emergency, ...).',
  labelNames: ['reason'] as const,
});

/** Drift findings made by re-validation (each new finding once), by exchange and kind. */
export const driftDetected = new Counter({
  name: 'exkey_drift_detected_total',
  help: 'Differences between a live key at the exchange and its spec found by re-validation, by exchange and kind (WithdrawEnabled, PermissionsChanged, IpAllowlistChanged, KeyRejected).',
  labelNames: ['exchange', 'kind'] as const,
});

/** Time from a rotation's start to its completion. */
export const rotationDuration = new Histogram({
  name: 'exkey_rotation_duration_seconds',
  help: 'Time from the start of a rotation to its completion, by reason.',
  labelNames: ['reason'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
});

/** 1 while this replica holds the leader lease (or runs without leader election), else 0. */
export const leaderStatus = new Gauge({
  name: 'exkey_leader',
  help: 'Whether this replica is the active leader (1) or a standby (0).',
});

/** Every HTTP request exkey makes to a venue, by venue, path and HTTP status (or transport failure). */
export const exchangeRequests = new Counter({
  name: 'exkey_exchange_requests_total',
  help: 'HTTP requests made to exchanges, by venue, request path and response code (or timeout / connection error code).',
  labelNames: ['venue', 'path', 'code'] as const,
});

/** Time from sending a venue request to its full response (or failure). */
export const exchangeRequestDuration = new Histogram({
  name: 'exkey_exchange_request_duration_seconds',
  help: 'Latency of HTTP requests to exchanges, by venue and request path.',
  labelNames: ['venue', 'path'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** The resource part of a REST path (e.g. "secrets", "exchangekeys/status"). */
export function resourceOf(path: string): string {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const base = parts[0] === 'api' ? 2 : 3;
  // /namespaces/<ns>/<plural>... is namespaced; /namespaces alone is the namespaces resource.
  const namespaced = parts[base] === 'namespaces' && parts.length > base + 2;
  const rest = parts.slice(namespaced ? base + 2 : base);
  const [plural = '', , sub] = rest;
  return sub ? `${plural}/${sub}` : plural;
}
