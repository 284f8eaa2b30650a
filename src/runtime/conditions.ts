// metav1.Condition helpers with controller-runtime's semantics: lastTransitionTime moves only
// when the status flips, and every condition carries the generation it was computed from.

/** A metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What a controller decides about one condition; the helper fills in the bookkeeping. */
export interface ConditionUpdate {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

/** Returns `conditions` with `update` applied (pure). Order of existing conditions is kept. */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: Date,
  generation: number | undefined,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  const existing = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime:
      existing && existing.status === update.status ? existing.lastTransitionTime : now.toISOString(),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** Returns `conditions` without the condition of this type (pure). */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** The condition of this type, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when the condition of this type has status True. */
export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}
