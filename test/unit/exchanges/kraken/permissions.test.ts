import { describe, expect, it } from 'vitest';
import { KRAKEN_PERMISSIONS, fromKrakenPermissions, krakenPermissionsFor } from '../../../../src/exchanges/kraken/permissions.ts';

describe('fromKrakenPermissions', () => {
  it.each([
    {
      name: 'should read a trading key as read + trade:spot when it has the query and order permissions',
      granted: ['query-funds', 'query-open-trades', 'modify-trades', 'close-trades'],
      expected: { permissions: ['read', 'trade:spot'], unmappedPermissions: [], withdrawEnabled: false },
    },
    {
      name: 'should report withdraw and set withdrawEnabled when the key has withdraw-funds',
      granted: ['query-funds', 'withdraw-funds'],
      expected: { permissions: ['read', 'withdraw'], unmappedPermissions: [], withdrawEnabled: true },
    },
    {
      name: 'should report earn-funds as transfer when the key may allocate to earn',
      granted: ['earn-funds'],
      expected: { permissions: ['transfer'], unmappedPermissions: [], withdrawEnabled: false },
    },
    {
      name: 'should keep deposit-funds and unknown strings verbatim when exkey has no name for them',
      granted: ['query-funds', 'deposit-funds', 'access-websockets'],
      expected: { permissions: ['read'], unmappedPermissions: ['access-websockets', 'deposit-funds'], withdrawEnabled: false },
    },
    { name: 'should report nothing when the key has no permission', granted: [], expected: { permissions: [], unmappedPermissions: [], withdrawEnabled: false } },
  ])('$name', ({ granted, expected }) => {
    expect(fromKrakenPermissions(granted)).toEqual(expected);
  });
});

describe('krakenPermissionsFor', () => {
  it.each([
    { name: 'should ask for the query boxes when only read is wanted', requested: ['read'] as const, expected: ['query-funds', 'query-open-trades', 'query-closed-trades', 'query-ledger', 'export-data'] },
    { name: 'should read trade as spot trading when the spec says trade', requested: ['trade'] as const, expected: ['modify-trades', 'close-trades'] },
    { name: 'should list withdraw-funds only when withdraw is asked for', requested: ['withdraw'] as const, expected: ['withdraw-funds'] },
  ])('$name', ({ requested, expected }) => {
    expect(krakenPermissionsFor(requested).map((p) => p.kraken)).toEqual(expected);
  });

  it('should give every Kraken permission exactly one row when the table is read', () => {
    const names = KRAKEN_PERMISSIONS.map((p) => p.kraken);
    expect(new Set(names).size).toBe(names.length);
  });
});
