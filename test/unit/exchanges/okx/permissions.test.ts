import { describe, expect, it } from 'vitest';
import { OKX_PERMISSION_TABLE, fromOkxPerm, toOkxPerm } from '../../../../src/exchanges/okx/permissions.ts';
import { generateOkxPassphrase, isValidOkxPassphrase } from '../../../../src/exchanges/okx/passphrase.ts';
import { ExchangeError, PERMISSIONS, type Permission } from '../../../../src/exchanges/types.ts';

describe('OKX_PERMISSION_TABLE', () => {
  it('should have exactly one row for every exkey permission', () => {
    expect(OKX_PERMISSION_TABLE.map((r) => r.permission).sort()).toEqual([...PERMISSIONS].sort());
  });
});

describe('toOkxPerm', () => {
  it.each<{ name: string; requested: Permission[]; perm: string }>([
    { name: 'should ask for read_only when only read is requested', requested: ['read'], perm: 'read_only' },
    { name: 'should ask for read_only when nothing is requested', requested: [], perm: 'read_only' },
    { name: 'should ask for trade when trade is requested', requested: ['read', 'trade'], perm: 'trade' },
    { name: 'should ask for trade when every product is requested', requested: ['trade:spot', 'trade:derivatives', 'trade:options'], perm: 'trade' },
    { name: 'should ask for trade when trade and a product are both requested', requested: ['trade', 'trade:spot'], perm: 'trade' },
  ])('$name', ({ requested, perm }) => {
    expect(toOkxPerm(requested)).toBe(perm);
  });

  it.each<{ name: string; requested: Permission[]; message: RegExp }>([
    { name: 'should refuse naming withdraw when withdraw is requested', requested: ['read', 'withdraw'], message: /"withdraw".*59504/ },
    { name: 'should refuse naming transfer when transfer is requested', requested: ['trade', 'transfer'], message: /"transfer"/ },
    { name: 'should refuse naming both when withdraw and transfer are requested', requested: ['transfer', 'withdraw'], message: /"transfer".*"withdraw"/ },
    { name: 'should refuse rather than widen when only spot trading is requested', requested: ['read', 'trade:spot'], message: /"trade:spot" alone.*trade:derivatives, trade:options/ },
    { name: 'should refuse rather than widen when two of three products are requested', requested: ['trade:spot', 'trade:options'], message: /would also grant trade:derivatives/ },
  ])('$name', ({ requested, message }) => {
    let error: unknown;
    try {
      toOkxPerm(requested);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExchangeError);
    expect(error).toMatchObject({ venue: 'okx', kind: 'invalid-request', retryable: false });
    expect((error as Error).message).toMatch(message);
  });
});

describe('fromOkxPerm', () => {
  it.each<{ name: string; perm: string[]; expected: ReturnType<typeof fromOkxPerm> }>([
    { name: 'should read read when OKX reports read_only', perm: ['read_only'], expected: { permissions: ['read'], unmappedPermissions: [], withdrawEnabled: false } },
    { name: 'should read trade when OKX reports read_only,trade', perm: ['read_only', 'trade'], expected: { permissions: ['read', 'trade'], unmappedPermissions: [], withdrawEnabled: false } },
    { name: 'should report withdraw when OKX reports withdraw', perm: ['read_only', 'trade', 'withdraw'], expected: { permissions: ['read', 'trade', 'withdraw'], unmappedPermissions: [], withdrawEnabled: true } },
    { name: 'should keep unknown values verbatim when OKX reports them', perm: ['read_only', 'earn', 'bot'], expected: { permissions: ['read'], unmappedPermissions: ['bot', 'earn'], withdrawEnabled: false } },
    { name: 'should still read when OKX reports nothing', perm: [], expected: { permissions: ['read'], unmappedPermissions: [], withdrawEnabled: false } },
  ])('$name', ({ perm, expected }) => {
    expect(fromOkxPerm(perm)).toEqual(expected);
  });
});

describe('generateOkxPassphrase', () => {
  it('should meet OKX\'s rule and differ every time when generated many times', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const passphrase = generateOkxPassphrase();
      expect(passphrase).toHaveLength(32);
      expect(isValidOkxPassphrase(passphrase), passphrase).toBe(true);
      seen.add(passphrase);
    }
    expect(seen.size).toBe(500);
  });

  it('should still hold one of each class when the random source always draws zero', () => {
    const passphrase = generateOkxPassphrase(() => 0);
    expect(isValidOkxPassphrase(passphrase), passphrase).toBe(true);
  });
});

describe('isValidOkxPassphrase', () => {
  it.each([
    { name: 'should accept when every class is present at 8 chars', passphrase: 'aB3!aB3!', valid: true },
    { name: 'should refuse when shorter than 8', passphrase: 'aB3!aB3', valid: false },
    { name: 'should refuse when longer than 32', passphrase: `aB3!${'x'.repeat(29)}`, valid: false },
    { name: 'should refuse when no special character', passphrase: 'aB3aB3aB3', valid: false },
    { name: 'should refuse when no digit', passphrase: 'aBc!aBc!', valid: false },
    { name: 'should refuse when no uppercase', passphrase: 'ab3!ab3!', valid: false },
    { name: 'should refuse when no lowercase', passphrase: 'AB3!AB3!', valid: false },
    { name: 'should refuse when it holds a space', passphrase: 'aB3! aB3!', valid: false },
  ])('$name', ({ passphrase, valid }) => {
    expect(isValidOkxPassphrase(passphrase)).toBe(valid);
  });
});
