// Which failure, if any, the ExchangeKey should report now. An ordered chain of small policies,
// first hit wins (cert-manager's policy-chain style), so the most fundamental problem is the one
// shown: an unknown exchange hides everything else, a missing Secret hides exchange errors.
import { isManual, manualVenue } from './manual.ts';
import type { Failure, Observed } from './observed.ts';
import { REASON_SECRET_CONFLICT, REASON_UNKNOWN_EXCHANGE } from './reasons.ts';

type FailurePolicy = (o: Observed) => Failure | undefined;

const unknownExchange: FailurePolicy = (o) => {
  if (o.exchangeKnown) return undefined;
  const message = isManual(o.key)
    ? `manual venue "${manualVenue(o.key)}" has no validator in this exkey build (use kraken, coinbase, or none; see docs/manual-venues.md)`
    : `exchange "${o.key.spec.exchange}" has no adapter in this exkey build (known: see docs/reference.md)`;
  return { reason: REASON_UNKNOWN_EXCHANGE, message, retryable: false };
};

const secretConflict: FailurePolicy = (o) =>
  o.published.kind === 'conflict'
    ? { reason: REASON_SECRET_CONFLICT, message: o.published.message, retryable: true }
    : undefined;

const masterMissing: FailurePolicy = (o) => (o.master?.kind === 'missing' ? o.master.failure : undefined);

const stepFailure: FailurePolicy = (o) => o.failure;

// A rejected key is reported only once it is revoked and its pending Secret removed, so the
// failure never short-circuits the clean-up.
const rejectedKey: FailurePolicy = (o) =>
  o.validation && 'failure' in o.validation && o.pending === null ? o.validation.failure : undefined;

const POLICIES: readonly FailurePolicy[] = [unknownExchange, secretConflict, masterMissing, stepFailure, rejectedKey];

/** The failure to report for this observation, or undefined when nothing is wrong. */
export function currentFailure(o: Observed): Failure | undefined {
  for (const policy of POLICIES) {
    const failure = policy(o);
    if (failure) return failure;
  }
  return undefined;
}
