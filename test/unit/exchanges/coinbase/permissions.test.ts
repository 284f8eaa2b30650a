import { describe, expect, it } from 'vitest';
import { coinbasePermissionsFor, fromCoinbaseFlags } from '../../../../src/exchanges/coinbase/permissions.ts';

describe('fromCoinbaseFlags', () => {
  it.each([
    { name: 'should read a view-only key as read', flags: { can_view: true, can_trade: false, can_transfer: false }, expected: { permissions: ['read'], unmappedPermissions: [], withdrawEnabled: false } },
    { name: 'should read a trading key as read + trade', flags: { can_view: true, can_trade: true, can_transfer: false }, expected: { permissions: ['read', 'trade'], unmappedPermissions: [], withdrawEnabled: false } },
    { name: 'should report transfer and withdrawEnabled when the key can transfer', flags: { can_view: true, can_trade: false, can_transfer: true }, expected: { permissions: ['read', 'transfer'], unmappedPermissions: [], withdrawEnabled: true } },
  ])('$name', ({ flags, expected }) => {
    expect(fromCoinbaseFlags(flags)).toEqual(expected);
  });
});

describe('coinbasePermissionsFor', () => {
  it.each([
    { name: 'should tick View and Trade when the spec asks for read and spot trading', requested: ['read', 'trade:spot'] as const, expected: ['can_view', 'can_trade'] },
    { name: 'should map withdraw to Transfer when the spec asks for it', requested: ['withdraw'] as const, expected: ['can_transfer'] },
  ])('$name', ({ requested, expected }) => {
    expect(coinbasePermissionsFor(requested).map((p) => p.field)).toEqual(expected);
  });
});
