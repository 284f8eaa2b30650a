// exkey permissions ↔ Deribit max_scope, both ways, and what Deribit cannot express.

import { describe, expect, it } from 'vitest';
import { DERIBIT_SCOPE_TABLE, fromDeribitScope, toDeribitMaxScope } from '../../../../src/exchanges/deribit/permissions.ts';
import { ExchangeError, type Permission } from '../../../../src/exchanges/types.ts';

describe('toDeribitMaxScope', () => {
  it.each<{ name: string; permissions: Permission[]; scope: string }>([
    { name: 'should read everything and manage nothing when only read is asked', permissions: ['read'], scope: 'account:read trade:read wallet:read' },
    { name: 'should imply read when nothing is asked', permissions: [], scope: 'account:read trade:read wallet:read' },
    { name: 'should grant trade:read_write when trade is asked', permissions: ['read', 'trade'], scope: 'account:read trade:read_write wallet:read' },
    { name: 'should treat all three products as trade when they are asked together', permissions: ['trade:spot', 'trade:derivatives', 'trade:options'], scope: 'account:read trade:read_write wallet:read' },
    { name: 'should grant wallet:read_write only when withdraw and transfer are both asked', permissions: ['trade', 'withdraw', 'transfer'], scope: 'account:read trade:read_write wallet:read_write' },
  ])('$name', ({ permissions, scope }) => {
    expect(toDeribitMaxScope(permissions)).toBe(scope);
  });

  it.each<{ name: string; permissions: Permission[]; named: RegExp }>([
    { name: 'should refuse trade:spot alone when one product is asked', permissions: ['trade:spot'], named: /trade:spot/ },
    { name: 'should refuse two products when not all three are asked', permissions: ['trade:spot', 'trade:options'], named: /trade:spot, trade:options/ },
    { name: 'should refuse withdraw when transfer is not asked too', permissions: ['withdraw'], named: /"withdraw" alone/ },
    { name: 'should refuse transfer when withdraw is not asked too', permissions: ['read', 'transfer'], named: /"transfer" alone/ },
  ])('$name', ({ permissions, named }) => {
    let thrown: unknown;
    try {
      toDeribitMaxScope(permissions);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ExchangeError);
    expect(thrown).toMatchObject({ kind: 'invalid-request', venue: 'deribit' });
    expect((thrown as Error).message).toMatch(named);
  });

  it('should never grant account:read_write nor wallet:read_write without withdraw when mapping any exkey permission set', () => {
    const safe: Permission[][] = [['read'], ['trade'], ['read', 'trade'], ['trade:spot', 'trade:derivatives', 'trade:options']];
    for (const permissions of safe) {
      const scope = toDeribitMaxScope(permissions);
      expect(scope).not.toContain('account:read_write');
      expect(scope).not.toContain('wallet:read_write');
    }
  });
});

describe('fromDeribitScope', () => {
  it.each([
    { name: 'should read a read-only key as read', scope: 'account:read trade:read wallet:read', permissions: ['read'], unmapped: [], withdraw: false },
    { name: 'should read trade:read_write as trade', scope: 'account:read trade:read_write wallet:none', permissions: ['read', 'trade'], unmapped: [], withdraw: false },
    { name: 'should report withdrawals when wallet:read_write is held', scope: 'account:read wallet:read_write', permissions: ['read', 'transfer', 'withdraw'], unmapped: [], withdraw: true },
    {
      name: 'should keep what exkey has no name for when block trades or account management are held',
      scope: 'account:read_write trade:read block_trade:read block_rfq:read_write',
      permissions: ['read'], unmapped: ['account:read_write', 'block_rfq:read_write', 'block_trade:read'], withdraw: false,
    },
    { name: 'should ignore token words when reading a public/auth scope', scope: 'connection mainaccount session:x expires:60 ip:* account:read trade:read_write', permissions: ['read', 'trade'], unmapped: [], withdraw: false },
    { name: 'should report an unknown area verbatim when the venue adds one', scope: 'account:read custody:read', permissions: ['read'], unmapped: ['custody:read'], withdraw: false },
  ])('$name', ({ scope, permissions, unmapped, withdraw }) => {
    expect(fromDeribitScope(scope)).toEqual({ permissions, unmappedPermissions: unmapped, withdrawEnabled: withdraw });
  });

  it('should read back exactly what it writes when round-tripping every table row', () => {
    for (const row of DERIBIT_SCOPE_TABLE) {
      const asked = row.permissions.filter((p) => p !== 'read');
      const scope = toDeribitMaxScope(asked);
      expect(fromDeribitScope(scope).permissions).toEqual(expect.arrayContaining(['read', ...asked]));
    }
  });
});
