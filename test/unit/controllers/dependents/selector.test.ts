// labelSelectorString: spec.dependents[].selector in the API's labelSelector syntax.
import { describe, expect, it } from 'vitest';
import { labelSelectorString, type LabelSelector } from '../../../../src/controllers/dependents/selector.ts';

describe('labelSelectorString', () => {
  it.each<[string, LabelSelector, string]>([
    ['should give an empty string (match everything) when the selector is empty', {}, ''],
    ['should join matchLabels as key=value sorted by key', { matchLabels: { tier: 'web', app: 'mm' } }, 'app=mm,tier=web'],
    ['should write In with sorted values', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, 'tier in (a,b)'],
    ['should write NotIn', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, 'env notin (dev)'],
    ['should write Exists as the bare key', { matchExpressions: [{ key: 'exkey.io/uses-key', operator: 'Exists' }] }, 'exkey.io/uses-key'],
    ['should write DoesNotExist as !key', { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] }, '!legacy'],
    [
      'should put matchLabels first, then matchExpressions in order',
      {
        matchLabels: { app: 'mm' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }],
      },
      'app=mm,tier in (a,b),!legacy',
    ],
    ['should allow an empty label value', { matchLabels: { canary: '' } }, 'canary='],
  ])('%s', (_name, selector, expected) => {
    expect(labelSelectorString(selector)).toBe(expected);
  });

  it.each(['In', 'NotIn'] as const)('should refuse %s without values, naming the requirement', (operator) => {
    expect(() => labelSelectorString({ matchExpressions: [{ key: 'tier', operator }] })).toThrow(`"tier ${operator}" needs at least one value`);
    expect(() => labelSelectorString({ matchExpressions: [{ key: 'tier', operator, values: [] }] })).toThrow(/needs at least one value/);
  });
});
