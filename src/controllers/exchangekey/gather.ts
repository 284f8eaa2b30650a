// gather: the minimum reads plan() needs, fresh from the API server so a reconcile never acts on
// its own stale writes. Everything else (master credentials, pending material, dependents) is
// loaded only when the plan asks for it. The policy comes from the cache: it changes rarely and a
// stale read only delays a schedule change by one event.
import type { ExchangeKey, RotationPolicy } from '../../api/v1alpha1/index.ts';
import type { Deps } from './deps.ts';
import type { Observed, PolicyState } from './observed.ts';
import { canProbe, isManual, manualVenue } from './manual.ts';
import { maxConcurrent, slotsHeld } from './rollout-state.ts';
import { publishedStateOf } from './secrets.ts';
import { secretNameOf, throttleScopeOf } from './spec.ts';

/** Reads served from the informer caches. */
export interface CacheHints {
  /** True when the Secret cache holds the pending Secret of this ExchangeKey. */
  hasPendingSecret(key: ExchangeKey): boolean;
  /** The RotationPolicy with this name, if cached. */
  policy(namespace: string, name: string): RotationPolicy | undefined;
}

/** Reads the ExchangeKey and its published Secret; undefined when the ExchangeKey is gone. */
export async function gather(namespace: string, name: string, deps: Deps, hints: CacheHints): Promise<Observed | undefined> {
  const key = await deps.keys.get(namespace, name);
  if (!key) return undefined;
  return observe(key, deps, hints);
}

/** Builds the Observed for an ExchangeKey already read. */
export async function observe(key: ExchangeKey, deps: Deps, hints: CacheHints): Promise<Observed> {
  const exchangeKnown = isManual(key) ? !canProbe(key) || deps.validators.has(manualVenue(key)) : deps.adapters.has(key.spec.exchange);
  const secret = await deps.secrets.get(key.metadata.namespace, secretNameOf(key));
  const observed: Observed = {
    key, exchangeKnown, published: publishedStateOf(key, secret), policy: policyOf(key, hints), rolloutSlots: 0,
  };
  const phase = key.status?.rotation?.phase;
  // Slots are only spent while rolling out; computing them means scanning the scope's keys.
  if (phase === 'RollingOut') {
    const self = `${key.metadata.namespace}/${key.metadata.name}`;
    const held = slotsHeld(key.status?.rotation?.dependents);
    observed.rolloutSlots = deps.throttle.available(throttleScopeOf(key), self, maxConcurrent(observed), held);
  }
  const pendingMatters = phase === 'Registering' || phase === 'Publishing';
  if (!pendingMatters && hints.hasPendingSecret(key)) observed.pendingLeftover = true;
  return observed;
}

function policyOf(key: ExchangeKey, hints: CacheHints): PolicyState {
  const name = key.spec.rotationPolicyRef?.name;
  if (!name) return { kind: 'none' };
  const policy = hints.policy(key.metadata.namespace, name);
  return policy ? { kind: 'found', name, spec: policy.spec } : { kind: 'missing', name };
}
