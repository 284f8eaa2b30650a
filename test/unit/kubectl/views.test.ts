import { describe, expect, it } from 'vitest';
import type { ExchangeKey } from '../../../src/api/v1alpha1/index.ts';
import { historyRows, problemOf, relative, secretView, statusRows, table } from '../../../src/kubectl/views.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

function key(name: string, status: ExchangeKey['status'], extra: Partial<ExchangeKey['metadata']> = {}): ExchangeKey {
  return {
    apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey',
    metadata: { name, namespace: 'trading', uid: `uid-${name}`, ...extra },
    spec: { exchange: 'bybit' },
    ...(status ? { status } : {}),
  };
}

const ready = (status: 'True' | 'False', reason = 'Issued', message = 'ok') => ({ type: 'Ready', status, reason, message, lastTransitionTime: NOW.toISOString() });
const degraded = (reason: string, message: string) => ({ type: 'Degraded', status: 'True' as const, reason, message, lastTransitionTime: NOW.toISOString() });

describe('problemOf', () => {
  it.each([
    { when: 'the key is Ready and not Degraded', k: key('a', { conditions: [ready('True')] }), want: '' },
    { when: 'the key has no status yet', k: key('a', undefined), want: 'not reconciled yet (is the operator running?)' },
    { when: 'the key is not Ready', k: key('a', { conditions: [ready('False', 'ExchangeUnavailable', 'bybit error 503')] }), want: 'ExchangeUnavailable: bybit error 503' },
    { when: 'the key is Ready but Degraded', k: key('a', { conditions: [ready('True'), degraded('RolloutFailed', 'deploy/mm stuck')] }), want: 'RolloutFailed: deploy/mm stuck' },
    { when: 'the key is being deleted and blocked', k: key('a', { conditions: [ready('False', 'RevokeBlocked', 'master missing')] }, { deletionTimestamp: NOW }), want: 'deleting: master missing' },
  ])('should say "$want" when $when', ({ k, want }) => {
    expect(problemOf(k)).toBe(want);
  });
});

describe('relative', () => {
  it.each([
    { at: '2026-11-25T16:30:00Z', want: 'in 3d4h' },
    { at: '2026-11-22T11:55:00Z', want: '5m ago' },
    { at: '2026-11-22T12:00:00Z', want: 'in 0s' },
    { at: undefined, want: '-' },
    { at: 'not a date', want: '-' },
  ])('should render $at as "$want"', ({ at, want }) => {
    expect(relative(at, NOW)).toBe(want);
  });
});

describe('statusRows', () => {
  it('should list keys with problems first, then by namespace and name', () => {
    const rows = statusRows([
      key('b-fine', { conditions: [ready('True')], currentVersion: 3 }),
      key('a-fine', { conditions: [ready('True')], currentVersion: 1, rotation: { phase: 'Overlap', version: 2, reason: 'Manual', startedAt: NOW.toISOString() } }),
      key('z-broken', { conditions: [ready('False', 'MasterCredentialsNotFound', 'Secret "m" not found')] }),
    ], NOW);
    expect(rows.map((r) => [r.name, r.version, r.phase, r.problem])).toEqual([
      ['z-broken', '-', '-', 'MasterCredentialsNotFound: Secret "m" not found'],
      ['a-fine', '1', 'Overlap v2', ''],
      ['b-fine', '3', '-', ''],
    ]);
  });
});

describe('historyRows', () => {
  it('should list versions newest first and mark the current one', () => {
    const rows = historyRows(key('mm', {
      currentVersion: 2,
      keys: [
        { version: 1, keyId: 'XK...0001', state: 'Revoked', createdAt: '2026-11-20T12:00:00Z', revokedAt: '2026-11-21T12:00:00Z' },
        { version: 2, keyId: 'XK...0002', state: 'Active', createdAt: '2026-11-21T11:00:00Z', validatedAt: '2026-11-21T11:00:01Z' },
      ],
    }), NOW);
    expect(rows.map((r) => [r.version, r.state, r.revoked])).toEqual([['2', 'Active (current)', '-'], ['1', 'Revoked', '1d ago']]);
  });
});

describe('secretView', () => {
  it('should show metadata, entry sizes and envelope headers, never values, ciphertext or wrapped keys', () => {
    const envelope = { v: 1, alg: 'A256GCM', provider: 'local', keyRef: 'local:c0ffee01', ns: 'trading', name: 'mm', version: 2, wrappedKey: 'V1JBUFBFRA==', iv: 'SVYxMjM0NTY3ODkw', ct: 'Q0lQSEVSVEVYVA==', tag: 'VEFHVEFHVEFHVEFHVEFHVA==' };
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const view = secretView({
      metadata: { name: 'mm', namespace: 'trading', annotations: { 'exkey.io/key-version': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, ownerReferences: [{ apiVersion: 'exkey.io/v1alpha1', kind: 'ExchangeKey', name: 'mm', uid: 'u', controller: true }] },
      data: { version: b64('2'), envelope: b64(JSON.stringify(envelope)), apiSecret: b64('plain-secret-value') },
    });
    const text = JSON.stringify(view);
    expect(view).toMatchObject({ owner: 'mm', annotations: { 'exkey.io/key-version': '2' }, dataEntries: { version: '1 bytes', apiSecret: '18 bytes' } });
    expect(view.envelopes).toEqual({ envelope: { v: 1, alg: 'A256GCM', provider: 'local', keyRef: 'local:c0ffee01', ns: 'trading', name: 'mm', version: 2 } });
    for (const hidden of ['V1JBUFBFRA==', 'Q0lQSEVSVEVYVA==', 'plain-secret-value', b64('plain-secret-value'), 'last-applied']) expect(text).not.toContain(hidden);
  });
});

describe('table', () => {
  it('should align columns under kubectl-style headers', () => {
    expect(table([{ name: 'a', nextRotation: 'in 1d' }, { name: 'longer', nextRotation: '-' }], ['name', 'nextRotation'])).toBe(
      ['NAME     NEXT-ROTATION', 'a        in 1d', 'longer   -'].join('\n'),
    );
  });
});
