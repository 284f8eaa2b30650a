// RotationPolicy status (pure): is the policy usable, how many keys it governs, and the earliest
// next rotation among them.
import type { ExchangeKey, RotationPolicy, RotationPolicyStatus } from '../../api/v1alpha1/index.ts';
import { setCondition } from '../../runtime/conditions.ts';
import { cachedPolicyProblems as policyProblems } from '../rotation/policy-check.ts';

export const REASON_VALID = 'Valid';
export const REASON_INVALID = 'Invalid';

/** The status the policy should have, given the keys that reference it. */
export function policyStatus(policy: RotationPolicy, keys: readonly ExchangeKey[], now: Date): RotationPolicyStatus {
  const governed = keys.filter((k) => k.spec.rotationPolicyRef?.name === policy.metadata.name);
  const next = governed
    .map((k) => k.status?.nextRotationTime)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const problems = policyProblems(policy.spec);
  const condition = problems.length === 0
    ? { type: 'Ready', status: 'True' as const, reason: REASON_VALID, message: `governs ${governed.length} ExchangeKey(s)` }
    : { type: 'Ready', status: 'False' as const, reason: REASON_INVALID, message: problems.join('; ') };
  const status: RotationPolicyStatus = {
    observedGeneration: policy.metadata.generation,
    keyCount: governed.length,
    conditions: setCondition(policy.status?.conditions, condition, now, policy.metadata.generation),
  };
  if (next) status.nextRotationTime = next;
  return status;
}
