// What every signed route handler receives and declares, and the lookup of the key a master call
// names (email + subAccountApiKey), shared by the key and IP-restriction routes.

import { invalid, type SimFailure, type SimResult } from './envelope.ts';
import { failed, requiredString } from './params.ts';
import { subAccountUid, subKeysOf, type Account, type SimKey } from './state.ts';

/** Inputs of one authenticated call. */
export interface CallContext {
  account: Account;
  caller: SimKey;
  params: URLSearchParams;
  /** The raw query string (some parameters are refused there). */
  rawQuery: string;
  nowMs: number;
}

/** One signed endpoint. */
export interface SignedRoute {
  /** Only master keys may call it (a sub-account key gets -1002). */
  masterOnly: boolean;
  /** Request weight and what it is counted against (per UID or per IP). */
  weight: { per: 'uid' | 'ip'; cost: number };
  handle(ctx: CallContext): SimResult;
}

/** The sub-account's live key named by `subAccountApiKey`, or Binance's refusal. */
export function targetKey(ctx: CallContext): { key: SimKey } | { failure: SimFailure } {
  const email = requiredString(ctx.params, 'email');
  if (failed(email)) return email;
  const apiKey = requiredString(ctx.params, 'subAccountApiKey');
  if (failed(apiKey)) return apiKey;
  if (subAccountUid(ctx.account, email.value) === undefined) return { failure: invalid('email', 'Not a sub-account of this master account.') };
  // Binance does not document this case; the simulator calls it an invalid parameter.
  const key = subKeysOf(ctx.account, email.value).find((k) => k.apiKey === apiKey.value);
  return key ? { key } : { failure: invalid('subAccountApiKey', 'No such API key in this sub-account.') };
}
