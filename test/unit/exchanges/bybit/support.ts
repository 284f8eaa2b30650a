// Shared helpers for the Bybit tests: a simulator on a loopback port and a hand-built signed
// request whose every byte the test controls (so the simulator is checked, not our client).

import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { Clock } from '../../../../src/runtime/clock.ts';
import { startBybitSimulator, type BybitSimulator } from '../../../../src/exchanges/bybit/simulator/index.ts';

export const MASTER_KEY = 'MASTERKEY000000001';
export const MASTER_SECRET = 'MASTERSECRET0000000000000000000000001';
export const MASTER_UID = '100000001';
export const SUB_UID = '200000002';

/** Starts a simulator on 127.0.0.1:0 with the standard master key. */
export function startSim(options: { clock?: Clock; rateLimits?: boolean; subUids?: string[]; random?: () => number } = {}): Promise<BybitSimulator> {
  return startBybitSimulator({
    masterKey: MASTER_KEY,
    masterSecret: MASTER_SECRET,
    masterUid: MASTER_UID,
    ...options,
  });
}

/** A raw request with Bybit auth built by hand. */
export interface RawCall {
  method: 'GET' | 'POST';
  path: string;
  /** Raw query string (GET) sent and signed as is. */
  query?: string;
  /** Raw body (POST) sent and signed as is. */
  body?: string;
  apiKey?: string;
  secret?: string;
  timestamp?: number;
  /** Header value; null omits the header. */
  recvWindow?: string | null;
  /** Replaces the computed signature. */
  sign?: string;
  /** Signs this payload instead of the one sent (to prove the raw bytes are what count). */
  signedPayload?: string;
}

/** The response, with the envelope parsed. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { retCode: number; retMsg: string; result: any; retExtInfo: unknown; time: number };
}

/** Independent HMAC: hex(HMAC-SHA256(secret, timestamp + key + recvWindow + payload)). */
export function referenceSign(secret: string, prehash: string): string {
  return createHmac('sha256', secret).update(prehash).digest('hex');
}

/** Sends a hand-signed request to the simulator. */
export async function rawCall(baseUrl: string, call: RawCall, clock: Clock): Promise<RawAnswer> {
  const payload = call.method === 'GET' ? call.query ?? '' : call.body ?? '';
  const url = `${baseUrl}${call.path}${call.query ? `?${call.query}` : ''}`;
  const res = await request(url, {
    method: call.method,
    headers: authHeaders(call, payload, clock),
    ...(call.method === 'POST' ? { body: payload } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: JSON.parse(text) };
}

function authHeaders(call: RawCall, payload: string, clock: Clock): Record<string, string> {
  const apiKey = call.apiKey ?? MASTER_KEY;
  const timestamp = String(call.timestamp ?? clock.nowMs());
  const recvWindow = call.recvWindow === undefined ? '5000' : call.recvWindow;
  const signed = call.signedPayload ?? payload;
  const sign = call.sign ?? referenceSign(call.secret ?? MASTER_SECRET, `${timestamp}${apiKey}${recvWindow ?? ''}${signed}`);
  const headers: Record<string, string> = {
    'X-BAPI-API-KEY': apiKey,
    'X-BAPI-TIMESTAMP': timestamp,
    'X-BAPI-SIGN': sign,
    'Content-Type': 'application/json',
  };
  if (recvWindow !== null) headers['X-BAPI-RECV-WINDOW'] = recvWindow;
  return headers;
}

/** A create-sub-api body for SUB_UID. */
export function createBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ subuid: Number(SUB_UID), readOnly: 0, permissions: { Spot: ['SpotTrade'] }, note: 'test', ...overrides });
}

/** Creates a sub key through the simulator's HTTP API and returns its credentials. */
export async function createSubKey(baseUrl: string, clock: Clock, overrides: Record<string, unknown> = {}): Promise<{ apiKey: string; secret: string }> {
  const answer = await rawCall(baseUrl, { method: 'POST', path: '/v5/user/create-sub-api', body: createBody(overrides) }, clock);
  if (answer.json.retCode !== 0) throw new Error(`create failed: ${JSON.stringify(answer.json)}`);
  return { apiKey: answer.json.result.apiKey, secret: answer.json.result.secret };
}
