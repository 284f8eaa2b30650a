// Label selectors of spec.dependents[] in the API's `labelSelector` query syntax.
import type { ExchangeKeySpec } from '../../api/v1alpha1/index.ts';

/** One entry of ExchangeKey spec.dependents. */
export type DependentSpec = NonNullable<ExchangeKeySpec['dependents']>[number];

/** A dependent's label selector (metav1.LabelSelector without Gt/Lt). */
export type LabelSelector = NonNullable<DependentSpec['selector']>;

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];

function requirementString(req: Requirement): string {
  const values = [...(req.values ?? [])].sort();
  switch (req.operator) {
    case 'Exists':
      return req.key;
    case 'DoesNotExist':
      return `!${req.key}`;
    case 'In':
    case 'NotIn':
      // The API refuses `key in ()`; say which requirement is wrong instead of a 400 from the server.
      if (values.length === 0) throw new Error(`label selector requirement "${req.key} ${req.operator}" needs at least one value`);
      return `${req.key} ${req.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`;
  }
}

/**
 * The selector as the API's labelSelector query parameter: matchLabels first (sorted by key), then
 * matchExpressions in order, e.g. `app=mm,tier in (a,b),!legacy`. An empty selector gives '' and,
 * as everywhere in Kubernetes, matches every object.
 */
export function labelSelectorString(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  return [...labels, ...(selector.matchExpressions ?? []).map(requirementString)].join(',');
}
