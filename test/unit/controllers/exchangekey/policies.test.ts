// The small pure policies around plan(): what counts as a matching key at the exchange, how step
// errors become status, which watch events deserve a reconcile, how key ids are masked.
import { describe, expect, it } from 'vitest';
import { keyInfoProblems, normalisePermissions } from '../../../../src/controllers/exchangekey/check.ts';
import { classifyError } from '../../../../src/controllers/exchangekey/errors.ts';
import { ReconcileFailure } from '../../../../src/controllers/exchangekey/reconciler.ts';
import { ChangeFilter, fingerprint } from '../../../../src/controllers/exchangekey/predicates.ts';
import { maskKeyId, permissionsOf } from '../../../../src/controllers/exchangekey/spec.ts';
import { EnvelopeError } from '../../../../src/crypto/index.ts';
import { ExchangeError, type KeyInfo } from '../../../../src/exchanges/types.ts';
import { setCondition } from '../../../../src/runtime/conditions.ts';
import { KubeApiError } from '../../../../src/runtime/kube/errors.ts';
import { EARLIER, NOW, key } from './fixtures.ts';

const info = (over: Partial<KeyInfo> = {}): KeyInfo => ({
  keyId: 'k', permissions: ['read', 'trade'], unmappedPermissions: [], ipAllowlist: ['10.0.0.1'], withdrawEnabled: false, ...over,
});

describe('keyInfoProblems', () => {
  it.each([
    { name: 'should accept a key that matches the spec', got: info(), problems: [] },
    { name: 'should accept trade reported as its three products', got: info({ permissions: ['read', 'trade:spot', 'trade:derivatives', 'trade:options'] }), problems: [] },
    { name: 'should accept a /32 for a single address', got: info({ ipAllowlist: ['10.0.0.1/32'] }), problems: [] },
    { name: 'should refuse a key with withdrawal enabled', got: info({ withdrawEnabled: true }), problems: ['withdrawal is enabled'] },
    { name: 'should refuse a key missing a permission', got: info({ permissions: ['read', 'trade:spot'] }), problems: ['missing at the exchange: trade:derivatives, trade:options'] },
    { name: 'should refuse a key with an extra permission', got: info({ permissions: ['read', 'trade', 'transfer'] }), problems: ['not in the spec: transfer'] },
    { name: 'should refuse venue permissions exkey does not manage', got: info({ unmappedPermissions: ['NFT:NFTQueryProductList'] }), problems: ['does not manage'] },
    { name: 'should refuse a different IP allowlist', got: info({ ipAllowlist: [] }), problems: ['IP allowlist at the exchange is []'] },
    { name: 'should accept "restricted, list unknown" when the spec asks for an allowlist', got: info({ ipAllowlist: [], ipRestrictedUnlisted: true }), problems: [] },
    { name: 'should skip the IP check when the venue says nothing about IP binding', got: info({ ipAllowlist: [], ipAllowlistUnknown: true }), problems: [] },
  ])('$name', ({ got, problems }) => {
    const found = keyInfoProblems(key(), got);
    expect(found).toHaveLength(problems.length);
    problems.forEach((p, i) => { expect(found[i]).toContain(p); });
  });

  it('should refuse "restricted, list unknown" when the spec asks for no allowlist', () => {
    const k = key();
    k.spec = { ...k.spec, ipAllowlist: [] };
    expect(keyInfoProblems(k, info({ ipAllowlist: [], ipRestrictedUnlisted: true }))).toEqual(['the key is IP-restricted at the exchange, the spec asks for no IP allowlist']);
  });

  it('should accept withdraw when the spec allows and asks for it', () => {
    const k = key();
    k.spec = { ...k.spec, permissions: ['read', 'withdraw'], allowWithdraw: true };
    expect(keyInfoProblems(k, info({ permissions: ['read', 'withdraw'], withdrawEnabled: true }))).toEqual([]);
  });

  it('should expand trade and always include read', () => {
    expect(normalisePermissions(['trade'])).toEqual(['read', 'trade:derivatives', 'trade:options', 'trade:spot']);
    expect(permissionsOf({ ...key(), spec: { ...key().spec, permissions: ['trade:spot'] } })).toEqual(['read', 'trade:spot']);
  });
});

describe('classifyError', () => {
  it.each([
    { name: 'should restart on a conflict', err: new KubeApiError(409, { reason: 'Conflict' }, 'PUT x'), want: { kind: 'restart' } },
    { name: 'should report a retryable venue failure as ExchangeUnavailable', err: new ExchangeError({ venue: 'bybit', kind: 'rate-limit', code: '10006', message: 'Too many visits' }), want: { kind: 'fail', failure: { reason: 'ExchangeUnavailable' } } },
    { name: 'should report a venue refusal as ExchangeRefused', err: new ExchangeError({ venue: 'bybit', kind: 'invalid-request', code: '10001', message: 'params error' }), want: { kind: 'fail', failure: { reason: 'ExchangeRefused', message: 'bybit error 10001: params error' } } },
    { name: 'should report envelope failures as EncryptionFailed', err: new EnvelopeError('tampered', 'authentication failed'), want: { kind: 'fail', failure: { reason: 'EncryptionFailed' } } },
    { name: 'should report other API errors as KubernetesError', err: new KubeApiError(500, { message: 'etcd down' }, 'GET x'), want: { kind: 'fail', failure: { reason: 'KubernetesError' } } },
    { name: 'should treat anything else as a bug', err: new TypeError('undefined is not a function'), want: { kind: 'bug' } },
  ])('$name', ({ err, want }) => {
    expect(classifyError(err)).toMatchObject(want);
  });

  it('should carry the venue\'s retry-after to the work queue through the reconcile failure', () => {
    const outcome = classifyError(new ExchangeError({ venue: 'binance', kind: 'rate-limit', code: '429', message: 'Too many requests', retryAfterMs: 60_000 }));
    if (outcome.kind !== 'fail') throw new Error(`expected a failure, got ${outcome.kind}`);
    expect(new ReconcileFailure(outcome.failure).retryAfterMs).toBe(60_000);
  });
});

describe('ChangeFilter', () => {
  const base = key();
  it.each([
    { name: 'should ignore a status-only update (exkey\'s own write)', next: { ...base, metadata: { ...base.metadata, resourceVersion: '11' }, status: { currentVersion: 1 } }, relevant: false },
    { name: 'should react to a spec change (generation)', next: { ...base, metadata: { ...base.metadata, generation: 2 } }, relevant: true },
    { name: 'should react to an annotation (rotate/revoke tokens)', next: { ...base, metadata: { ...base.metadata, annotations: { 'exkey.io/rotate': 't1' } } }, relevant: true },
    { name: 'should react to deletion', next: { ...base, metadata: { ...base.metadata, deletionTimestamp: new Date(NOW) } }, relevant: true },
  ])('$name', ({ next, relevant }) => {
    const filter = new ChangeFilter();
    filter.added('trading/mm', base);
    expect(filter.updated('trading/mm', next)).toBe(relevant);
  });

  it('should not depend on label or annotation order', () => {
    const a = { metadata: { labels: { a: '1', b: '2' } } };
    const b = { metadata: { labels: { b: '2', a: '1' } } };
    expect(fingerprint(a)).toBe(fingerprint(b));
  });
});

describe('maskKeyId', () => {
  it.each([
    { id: 'AbCdEfGhIjKlMnOpQr', masked: 'AbCd…Qr' },
    { id: 'short', masked: '****' },
  ])('should show $masked for $id', ({ id, masked }) => {
    expect(maskKeyId(id)).toBe(masked);
    expect(maskKeyId(id).length).toBeLessThan(Math.max(id.length, 5));
  });
});

describe('setCondition', () => {
  const ready = { type: 'Ready', status: 'True' as const, reason: 'Issued', message: 'ok' };
  it('should keep lastTransitionTime when only the message changes', () => {
    const before = setCondition([], ready, new Date(EARLIER), 1);
    const after = setCondition(before, { ...ready, message: 'still ok' }, NOW, 2);
    expect(after[0]).toMatchObject({ lastTransitionTime: new Date(EARLIER).toISOString(), message: 'still ok', observedGeneration: 2 });
  });
  it('should move lastTransitionTime when the status flips', () => {
    const before = setCondition([], ready, new Date(EARLIER), 1);
    const after = setCondition(before, { ...ready, status: 'False', reason: 'X' }, NOW, 1);
    expect(after[0]?.lastTransitionTime).toBe(NOW.toISOString());
  });
});
