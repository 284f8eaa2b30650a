// Re-validation of the live key (drift detection): a signed read-only call with the current key
// version's own credentials, read from the published Secret. The material stays in Scratch; only
// what the exchange reported (or its refusal) goes into Observed.
import { ExchangeError } from '../../exchanges/types.ts';
import { keyCheckFor, required, type Deps, type Scratch } from './deps.ts';
import { credentialsOf, decodeMaterial } from './material.ts';
import type { Observed } from './observed.ts';
import type { Step } from './plan.ts';
import { publishedStateOf } from './secrets.ts';
import { secretNameOf } from './spec.ts';

type StepOf<K extends Step['kind']> = Extract<Step, { kind: K }>;

/** Asks the exchange what it thinks of the current key; a refusal of the key itself is a finding, not a failure. */
export async function revalidate(step: StepOf<'Revalidate'>, o: Observed, deps: Deps, scratch: Scratch): Promise<Observed> {
  const { namespace } = o.key.metadata;
  const name = secretNameOf(o.key);
  const secret = await deps.secrets.get(namespace, name);
  const published = publishedStateOf(o.key, secret);
  // The Secret moved on since gather: let the plan look at it again first.
  if (!secret || published.kind !== 'present' || published.version !== step.version) return { ...o, published };
  scratch.current = await decodeMaterial(secret, { namespace, name, version: step.version }, deps.encryption);
  const at = deps.clock.now().toISOString();
  try {
    const info = await required(keyCheckFor(deps, o.key), 'a read-only call for this venue')(credentialsOf(scratch.current));
    return { ...o, revalidation: { version: step.version, at, info } };
  } catch (err) {
    // Only the venue's verdict that the key itself is bad (unknown, deleted, expired) is drift;
    // rate limits, outages and other refusals are reported and retried like any failed step.
    if (err instanceof ExchangeError && err.kind === 'auth') {
      deps.log.warn({ version: step.version, code: err.code }, 'the exchange refused the current key at re-validation');
      return { ...o, revalidation: { version: step.version, at, rejected: `${err.message} (code ${err.code})` } };
    }
    throw err;
  }
}
