// exkey permissions ↔ Binance's create flags and apiRestrictions fields, both directions.

import { describe, expect, it } from 'vitest';
import { BINANCE_PERMISSIONS, fromBinanceRestrictions, toBinanceFlags } from '../../../../src/exchanges/binance/permissions.ts';
import { ExchangeError, PERMISSIONS, type Permission } from '../../../../src/exchanges/types.ts';

const NONE = { canTrade: false, canFuturesTrade: false, canVanillaOptions: false, canUniversalTransfer: false };

describe('toBinanceFlags', () => {
  it.each<{ name: string; requested: Permission[]; expected: Record<string, boolean> }>([
    { name: 'should set no flag when only read is asked for', requested: ['read'], expected: NONE },
    { name: 'should set canTrade only when spot trading is asked for', requested: ['read', 'trade:spot'], expected: { ...NONE, canTrade: true } },
    { name: 'should set every trading flag when trade is asked for', requested: ['trade'], expected: { ...NONE, canTrade: true, canFuturesTrade: true, canVanillaOptions: true } },
    { name: 'should set canFuturesTrade when derivatives are asked for', requested: ['trade:derivatives'], expected: { ...NONE, canFuturesTrade: true } },
    { name: 'should set canUniversalTransfer when transfer is asked for', requested: ['read', 'transfer'], expected: { ...NONE, canUniversalTransfer: true } },
  ])('$name', ({ requested, expected }) => {
    expect(toBinanceFlags(requested)).toEqual(expected);
  });

  it('should refuse with invalid-request naming withdraw when withdraw is asked for', () => {
    let error: unknown;
    try {
      toBinanceFlags(['read', 'trade', 'withdraw']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExchangeError);
    expect(error).toMatchObject({ kind: 'invalid-request', venue: 'binance' });
    expect((error as Error).message).toMatch(/"withdraw" cannot be granted/);
  });

  it('should name every exkey permission in the table when the table is complete', () => {
    expect(BINANCE_PERMISSIONS.map((row) => row.permission).sort()).toEqual(PERMISSIONS.filter((p) => p !== 'trade').sort());
  });
});

describe('fromBinanceRestrictions', () => {
  const base = {
    ipRestrict: false, createTime: 1, enableReading: true, enableSpotAndMarginTrading: false, enableWithdrawals: false,
    enableInternalTransfer: false, enableMargin: false, enableFutures: false, permitsUniversalTransfer: false,
    enableVanillaOptions: false, enableFixApiTrade: false, enableFixReadOnly: false, enablePortfolioMarginTrading: false,
  };
  it.each([
    { name: 'should report read only when nothing else is on', restrictions: base, permissions: ['read'], unmapped: [], withdraw: false },
    {
      name: 'should report trade when spot, futures and options are on',
      restrictions: { ...base, enableSpotAndMarginTrading: true, enableFutures: true, enableVanillaOptions: true },
      permissions: ['read', 'trade'], unmapped: [], withdraw: false,
    },
    {
      name: 'should report transfer when universal transfer is permitted',
      restrictions: { ...base, permitsUniversalTransfer: true }, permissions: ['read', 'transfer'], unmapped: [], withdraw: false,
    },
    {
      name: 'should report withdraw and withdrawEnabled when withdrawals are enabled',
      restrictions: { ...base, enableWithdrawals: true }, permissions: ['read', 'withdraw'], unmapped: [], withdraw: true,
    },
    {
      name: 'should report fields exkey has no name for as unmapped when they are on',
      restrictions: { ...base, enableMargin: true, enableInternalTransfer: true, enableSomethingNew: true, ipRestrict: true },
      permissions: ['read'], unmapped: ['enableInternalTransfer', 'enableMargin', 'enableSomethingNew'], withdraw: false,
    },
  ])('$name', ({ restrictions, permissions, unmapped, withdraw }) => {
    expect(fromBinanceRestrictions(restrictions)).toEqual({ permissions, unmappedPermissions: unmapped, withdrawEnabled: withdraw });
  });
});
