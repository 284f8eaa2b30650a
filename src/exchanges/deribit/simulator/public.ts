// Deribit's public methods the simulator serves: public/auth (tokens), public/exchange_token
// (switch to a sub-account: "Cannot exceed caller's permissions"), public/get_time and public/test.

import { authenticateGrant } from './auth.ts';
import { RPC, fail, ok, type RpcResult } from './envelope.ts';
import { formatScope, levelsOf, tokenScope } from './scope.ts';
import { findByRefresh, isAccountOf, issueToken, TOKEN_LIFETIME_S, type Account, type SimToken } from './state.ts';

/** Inputs of one public call. */
export interface PublicContext {
  account: Account;
  params: Readonly<Record<string, unknown>>;
  ip: string;
  nowMs: number;
}

/** Public methods by name. */
export const PUBLIC_METHODS: Readonly<Record<string, (ctx: PublicContext) => RpcResult>> = {
  'public/auth': auth,
  'public/exchange_token': exchangeToken,
  'public/get_time': ({ nowMs }) => ok(nowMs),
  'public/test': () => ok({ version: '1.2.26' }),
};

function auth({ account, params, ip, nowMs }: PublicContext): RpcResult {
  const outcome = authenticateGrant(account, params, ip, nowMs);
  if (!outcome.ok) return outcome.refusal;
  const { key, accountId, scope } = outcome.principal;
  const grant = typeof params.grant_type === 'string' ? params.grant_type : '';
  const requested = typeof params.scope === 'string' ? params.scope : undefined;
  // A refresh keeps the token's (possibly switched) account and scope.
  const granted = grant === 'refresh_token' ? scope : tokenScope(scope, requested, grant, accountId === account.mainId);
  return ok(tokenResult(issueToken(account, { clientId: key.clientId, accountId, scope: granted }, nowMs), params.state));
}

function exchangeToken({ account, params, nowMs }: PublicContext): RpcResult {
  const current = findByRefresh(account, typeof params.refresh_token === 'string' ? params.refresh_token : '');
  if (!current) return fail(RPC.unauthorized, 'invalid refresh token');
  const subject = typeof params.subject_id === 'number' ? params.subject_id : Number(params.subject_id);
  if (!Number.isSafeInteger(subject) || !isAccountOf(account, subject)) return fail(RPC.invalidParams, 'unknown subject_id', 'subject_id');
  // Only the main account may switch to its sub-accounts.
  if (current.accountId !== account.mainId) return fail(RPC.unavailableInSubaccount);
  const scope = formatScope(levelsOf(current.scope), subject === account.mainId);
  return ok(tokenResult(issueToken(account, { clientId: current.clientId, accountId: subject, scope }, nowMs), undefined));
}

function tokenResult(token: SimToken, state: unknown): Record<string, unknown> {
  return {
    access_token: token.accessToken,
    expires_in: TOKEN_LIFETIME_S,
    refresh_token: token.refreshToken,
    scope: token.scope,
    token_type: 'bearer',
    enabled_features: [],
    ...(typeof state === 'string' ? { state } : {}),
  };
}
