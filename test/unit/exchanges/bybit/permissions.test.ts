import { describe, expect, it } from 'vitest';
import { fromBybitPermissions, toBybitPermissions } from '../../../../src/exchanges/bybit/permissions.ts';
import { ExchangeError, type Permission } from '../../../../src/exchanges/types.ts';

const ALL_TRADE = { Spot: ['SpotTrade'], ContractTrade: ['Order', 'Position'], Options: ['OptionsTrade'] };
const WALLET = { Wallet: ['AccountTransfer', 'SubMemberTransferList'] };

describe('toBybitPermissions', () => {
  it.each<{ name: string; requested: Permission[]; readOnly: 0 | 1; permissions: Record<string, string[]> }>([
    { name: 'should make a read-only key over every trading category when only read is asked', requested: ['read'], readOnly: 1, permissions: ALL_TRADE },
    { name: 'should make a read-only key when nothing is asked (read is implied)', requested: [], readOnly: 1, permissions: ALL_TRADE },
    { name: 'should grant spot, contracts and options when trade is asked', requested: ['read', 'trade'], readOnly: 0, permissions: ALL_TRADE },
    { name: 'should grant only Spot when trade:spot is asked', requested: ['trade:spot'], readOnly: 0, permissions: { Spot: ['SpotTrade'] } },
    { name: 'should grant only ContractTrade when trade:derivatives is asked', requested: ['trade:derivatives'], readOnly: 0, permissions: { ContractTrade: ['Order', 'Position'] } },
    { name: 'should grant only Options when trade:options is asked', requested: ['trade:options'], readOnly: 0, permissions: { Options: ['OptionsTrade'] } },
    { name: 'should grant Wallet transfers when transfer is asked', requested: ['read', 'transfer'], readOnly: 0, permissions: WALLET },
    { name: 'should merge categories when several permissions are asked', requested: ['trade:spot', 'trade:options', 'transfer'], readOnly: 0, permissions: { Spot: ['SpotTrade'], Options: ['OptionsTrade'], ...WALLET } },
    { name: 'should not repeat a category when trade and trade:spot are both asked', requested: ['trade', 'trade:spot'], readOnly: 0, permissions: ALL_TRADE },
  ])('$name', ({ requested, readOnly, permissions }) => {
    expect(toBybitPermissions(requested)).toEqual({ readOnly, permissions });
  });

  it.each<{ name: string; requested: Permission[] }>([
    { name: 'should refuse with invalid-request when withdraw is asked', requested: ['withdraw'] },
    { name: 'should refuse with invalid-request when withdraw comes with other permissions', requested: ['read', 'trade', 'withdraw'] },
  ])('$name', ({ requested }) => {
    const attempt = (): unknown => toBybitPermissions(requested);
    expect(attempt).toThrow(ExchangeError);
    expect(attempt).toThrow(/withdraw.*master-account keys/);
    try {
      attempt();
    } catch (err) {
      expect(err).toMatchObject({ kind: 'invalid-request', venue: 'bybit', retryable: false });
    }
  });
});

describe('fromBybitPermissions', () => {
  const empty = { ContractTrade: [], Spot: [], Wallet: [], Options: [], Derivatives: [], CopyTrading: [], BlockTrade: [], Exchange: [], NFT: [], Affiliate: [], Earn: [] };
  it.each<{ name: string; readOnly: boolean; map: Record<string, string[]>; permissions: Permission[]; unmapped?: string[]; withdraw?: boolean }>([
    { name: 'should report read only when the key is read-only over trading categories', readOnly: true, map: { ...empty, ...ALL_TRADE }, permissions: ['read'] },
    { name: 'should report trade when spot, contracts and options are all granted', readOnly: false, map: { ...empty, ...ALL_TRADE }, permissions: ['read', 'trade'] },
    { name: 'should report trade:spot when only Spot is granted', readOnly: false, map: { ...empty, Spot: ['SpotTrade'] }, permissions: ['read', 'trade:spot'] },
    { name: 'should report two parts when two trading categories are granted', readOnly: false, map: { Spot: ['SpotTrade'], ContractTrade: ['Order', 'Position'] }, permissions: ['read', 'trade:spot', 'trade:derivatives'] },
    { name: 'should report transfer when Wallet has both transfer values', readOnly: false, map: { ...empty, ...WALLET }, permissions: ['read', 'transfer'] },
    { name: 'should ignore DerivativesTrade when Bybit adds it for unified accounts', readOnly: false, map: { ...empty, Spot: ['SpotTrade'], Derivatives: ['DerivativesTrade'] }, permissions: ['read', 'trade:spot'] },
    { name: 'should report unknown categories verbatim when the key has them', readOnly: false, map: { Spot: ['SpotTrade'], Exchange: ['ExchangeHistory'], Earn: ['Earn'] }, permissions: ['read', 'trade:spot'], unmapped: ['Earn:Earn', 'Exchange:ExchangeHistory'] },
    { name: 'should report unknown categories even when the key is read-only', readOnly: true, map: { Spot: ['SpotTrade'], Exchange: ['ExchangeHistory'] }, permissions: ['read'], unmapped: ['Exchange:ExchangeHistory'] },
    { name: 'should report a partial category value by value when only part is granted', readOnly: false, map: { ContractTrade: ['Order'] }, permissions: ['read'], unmapped: ['ContractTrade:Order'] },
    { name: 'should report extra values of a known category when they have no exkey name', readOnly: false, map: { Wallet: ['AccountTransfer', 'SubMemberTransferList', 'SubMemberTransfer'] }, permissions: ['read', 'transfer'], unmapped: ['Wallet:SubMemberTransfer'] },
    { name: 'should set withdrawEnabled and withdraw when Wallet contains Withdraw', readOnly: false, map: { Wallet: ['AccountTransfer', 'SubMemberTransfer', 'Withdraw'] }, permissions: ['read', 'withdraw'], unmapped: ['Wallet:AccountTransfer', 'Wallet:SubMemberTransfer'], withdraw: true },
    { name: 'should set withdrawEnabled but not withdraw when a read-only key lists Withdraw', readOnly: true, map: { Wallet: ['Withdraw'] }, permissions: ['read'], withdraw: true },
    { name: 'should report read when every category is empty', readOnly: false, map: empty, permissions: ['read'] },
  ])('$name', ({ readOnly, map, permissions, unmapped = [], withdraw = false }) => {
    expect(fromBybitPermissions(readOnly, map)).toEqual({ permissions, unmappedPermissions: unmapped, withdrawEnabled: withdraw });
  });

  it.each<{ name: string; requested: Permission[]; expected: Permission[] }>([
    { name: 'should round-trip read when a read-only key is made', requested: ['read'], expected: ['read'] },
    { name: 'should round-trip trade when trade is asked', requested: ['trade'], expected: ['read', 'trade'] },
    { name: 'should round-trip single categories when they are asked', requested: ['read', 'trade:derivatives', 'transfer'], expected: ['read', 'trade:derivatives', 'transfer'] },
    { name: 'should collapse the three trading parts into trade when all are asked', requested: ['trade:spot', 'trade:derivatives', 'trade:options'], expected: ['read', 'trade'] },
  ])('$name', ({ requested, expected }) => {
    const { readOnly, permissions } = toBybitPermissions(requested);
    expect(fromBybitPermissions(readOnly === 1, permissions).permissions).toEqual(expected);
  });
});
