// Shared helpers for the OKX tests: a simulator on a loopback port and a hand-built signed
// request whose every byte the test controls (so the simulator is checked, not our client).

import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { Clock } from '../../../../src/runtime/clock.ts';
import { startOkxSimulator, type OkxSimulator } from '../../../../src/exchanges/okx/simulator/index.ts';

export const MASTER_KEY = 'a3f0c2d4-0000-4000-8000-00000000m001';
export const MASTER_SECRET = '0123456789ABCDEF0123456789ABCDEF';
export const MASTER_PASSPHRASE = 'Master-Pass1!';
export const MASTER_UID = '100000000000000001';
export const SUB_ACCT = 'deskalpha01';

/** Starts a simulator on 127.0.0.1:0 with the standard master key (bound to loopback). */
export function startSim(options: {
  clock?: Clock; rateLimits?: boolean; subAccounts?: string[]; random?: () => number; masterIps?: string[];
} = {}): Promise<OkxSimulator> {
  return startOkxSimulator({
    masterKey: MASTER_KEY,
    masterSecret: MASTER_SECRET,
    masterPassphrase: MASTER_PASSPHRASE,
    masterUid: MASTER_UID,
    ...options,
  });
}

/** A raw request with OKX auth built by hand. */
export interface RawCall {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Raw query string (GET), sent and signed as is. */
  query?: string;
  /** Raw body (POST), sent and signed as is. */
  body?: string;
  apiKey?: string;
  secret?: string;
  passphrase?: string;
  /** OK-ACCESS-TIMESTAMP text; defaults to the clock's ISO time. */
  timestamp?: string;
  /** Replaces the computed signature. */
  sign?: string;
  /** Signs this prehash suffix (requestPath + body) instead of the one sent. */
  signedTail?: string;
  contentType?: string | null;
}

/** The response, with the envelope parsed. */
export interface RawAnswer {
  status: number;
  json: { code: string; msg: string; data: any[] };
}

/** Independent HMAC: base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)). */
export function referenceSign(secret: string, prehash: string): string {
  return createHmac('sha256', secret).update(prehash).digest('base64');
}

/** Sends a hand-signed request to the simulator. */
export async function rawCall(baseUrl: string, call: RawCall, clock: Clock): Promise<RawAnswer> {
  const requestPath = `${call.path}${call.query ? `?${call.query}` : ''}`;
  const body = call.method === 'GET' ? '' : call.body ?? '';
  const timestamp = call.timestamp ?? new Date(clock.nowMs()).toISOString();
  const sign = call.sign ?? referenceSign(call.secret ?? MASTER_SECRET, `${timestamp}${call.method}${call.signedTail ?? `${requestPath}${body}`}`);
  // An empty value means "header not sent".
  const headers: Record<string, string> = Object.fromEntries(Object.entries({
    'OK-ACCESS-KEY': call.apiKey ?? MASTER_KEY,
    'OK-ACCESS-SIGN': sign,
    'OK-ACCESS-TIMESTAMP': timestamp,
    'OK-ACCESS-PASSPHRASE': call.passphrase ?? MASTER_PASSPHRASE,
  }).filter(([, value]) => value !== ''));
  if (call.contentType !== null) headers['Content-Type'] = call.contentType ?? 'application/json';
  const res = await request(`${baseUrl}${requestPath}`, { method: call.method, headers, ...(call.method === 'GET' ? {} : { body }) });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text) };
}

/** A create-apikey body for SUB_ACCT. */
export function createBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ subAcct: SUB_ACCT, label: `test${Math.random().toString(36).slice(2, 10)}`, passphrase: 'Sub-Pass1!', perm: 'trade', ...overrides });
}

/** A sub-account key created through the simulator's HTTP API. */
export interface SubKey {
  apiKey: string;
  secret: string;
  passphrase: string;
}

/** Creates a sub-account key and returns its credentials. */
export async function createSubKey(baseUrl: string, clock: Clock, overrides: Record<string, unknown> = {}): Promise<SubKey> {
  const answer = await rawCall(baseUrl, { method: 'POST', path: '/api/v5/users/subaccount/apikey', body: createBody(overrides) }, clock);
  if (answer.json.code !== '0') throw new Error(`create failed: ${JSON.stringify(answer.json)}`);
  const entry = answer.json.data[0];
  return { apiKey: entry.apiKey, secret: entry.secretKey, passphrase: entry.passphrase };
}

/** The RawCall fields that sign as `key`. */
export function as(key: SubKey): Pick<RawCall, 'apiKey' | 'secret' | 'passphrase'> {
  return { apiKey: key.apiKey, secret: key.secret, passphrase: key.passphrase };
}
