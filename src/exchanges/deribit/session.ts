// How exkey authenticates to Deribit. The managing key of the main account signs each call with
// signature credentials (no secret on the wire, no token to keep). A sub-account is reached the way
// Deribit documents it: public/auth, then public/exchange_token {refresh_token, subject_id}
// ("This method can be used to switch between subaccounts"). Asymmetric keys may only use
// public/auth with grant_type client_signature ("Asymmetric API keys"), so they always get a token.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../runtime/clock.ts';
import type { Credentials } from '../types.ts';
import type { DeribitAuth, DeribitClient } from './client.ts';
import { deribitInvalidRequest } from './errors.ts';
import { readToken, type DeribitToken } from './responses.ts';
import { authStringToSign, signDeribitAsymmetric, signDeribitHmac } from './signing.ts';

/** The authorisation for calls made with `credentials` on `account` (a sub-account id) or the main account. */
export async function sessionFor(client: DeribitClient, clock: Clock, credentials: Credentials, account: string | undefined): Promise<DeribitAuth> {
  const subjectId = subAccountIdOf(account);
  if (subjectId === undefined && credentials.secret !== undefined && credentials.secret !== '') {
    return { kind: 'signature', clientId: credentials.keyId, secret: credentials.secret };
  }
  const token = await signIn(client, clock, credentials);
  if (subjectId === undefined) return { kind: 'bearer', token: token.accessToken };
  const switched = readToken(await client.call({ kind: 'public' }, 'public/exchange_token', { refresh_token: token.refreshToken, subject_id: subjectId }));
  return { kind: 'bearer', token: switched.accessToken };
}

/** public/auth with grant_type client_signature: the key proves itself without sending a secret. */
export async function signIn(client: DeribitClient, clock: Clock, credentials: Credentials): Promise<DeribitToken> {
  const timestamp = clock.nowMs();
  const nonce = randomBytes(8).toString('hex');
  const data = '';
  const stringToSign = authStringToSign(String(timestamp), nonce, data);
  const signature = credentials.privateKey !== undefined && credentials.privateKey !== ''
    ? signDeribitAsymmetric(credentials.privateKey, stringToSign)
    : signDeribitHmac(secretOf(credentials), stringToSign);
  const params = { grant_type: 'client_signature', client_id: credentials.keyId, timestamp, nonce, data, signature };
  return readToken(await client.call({ kind: 'public' }, 'public/auth', params));
}

/** The numeric sub-account id in ExchangeKey.spec.account; undefined for the main account. */
export function subAccountIdOf(account: string | undefined): number | undefined {
  const trimmed = account?.trim() ?? '';
  if (trimmed === '') return undefined;
  if (!/^\d{1,12}$/.test(trimmed)) {
    throw deribitInvalidRequest(`account must be a numeric Deribit sub-account id (or empty for the main account), got "${account ?? ''}"`);
  }
  return Number(trimmed);
}

function secretOf(credentials: Credentials): string {
  if (credentials.secret === undefined || credentials.secret === '') {
    throw deribitInvalidRequest('credentials hold neither a client secret nor a private key');
  }
  return credentials.secret;
}
