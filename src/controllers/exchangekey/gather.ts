// gather: the minimum reads plan() needs, fresh from the API server so a reconcile never acts on
// its own stale writes. Everything else (master credentials, pending material) is loaded only
// when the plan asks for it.
import type { ExchangeKey } from '../../api/v1alpha1/index.ts';
import type { Deps } from './deps.ts';
import type { Observed } from './observed.ts';
import { publishedStateOf } from './secrets.ts';
import { secretNameOf } from './spec.ts';

/** Hints from the informer caches that save reads. */
export interface CacheHints {
  /** True when the Secret cache holds the pending Secret of this ExchangeKey. */
  hasPendingSecret(key: ExchangeKey): boolean;
}

/** Reads the ExchangeKey and its published Secret; undefined when the ExchangeKey is gone. */
export async function gather(namespace: string, name: string, deps: Deps, hints: CacheHints): Promise<Observed | undefined> {
  const key = await deps.keys.get(namespace, name);
  if (!key) return undefined;
  return observe(key, deps, hints);
}

/** Builds the Observed for an ExchangeKey already read. */
export async function observe(key: ExchangeKey, deps: Deps, hints: CacheHints): Promise<Observed> {
  const exchangeKnown = deps.adapters.has(key.spec.exchange);
  const secret = await deps.secrets.get(key.metadata.namespace, secretNameOf(key));
  const observed: Observed = { key, exchangeKnown, published: publishedStateOf(key, secret) };
  if (!key.status?.rotation && hints.hasPendingSecret(key)) observed.pendingLeftover = true;
  return observed;
}
