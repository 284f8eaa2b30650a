// Shared helpers for the Kraken tests: a simulator on a loopback port and hand-built signed
// requests whose every byte the test controls (so the simulator is checked, not our validator).

import { createHash, createHmac } from 'node:crypto';
import { request } from 'undici';
import type { Clock } from '../../../../src/runtime/clock.ts';
import { startKrakenSimulator, type KrakenSimulator, type NewKey } from '../../../../src/exchanges/kraken/simulator/index.ts';

/** A key a human created with read and spot-trading permissions. */
export const TRADER: NewKey = {
  apiKey: 'TRADERKEY0000000000000000000000000000000000000000000001',
  secret: Buffer.alloc(64, 7).toString('base64'),
  apiKeyName: 'desk-a',
  permissions: ['query-funds', 'query-open-trades', 'modify-trades', 'close-trades'],
  ipAllowlist: [],
  nonceWindow: 0,
  validUntilMs: 0,
};

/** Starts a simulator on 127.0.0.1:0 holding TRADER. */
export function startSim(options: { clock?: Clock; rateLimits?: boolean } = {}): Promise<KrakenSimulator> {
  return startKrakenSimulator({ keys: [TRADER], ...options });
}

/** Independent API-Sign, written from the docs' formula rather than imported from src/. */
export function referenceSign(secret: string, uriPath: string, nonce: string, body: string): string {
  const inner = createHash('sha256').update(nonce + body).digest();
  return createHmac('sha512', Buffer.from(secret, 'base64')).update(Buffer.concat([Buffer.from(uriPath), inner])).digest('base64');
}

/** A private call built by hand. */
export interface RawCall {
  path?: string;
  apiKey?: string | null;
  secret?: string;
  nonce: string | null;
  /** Extra form fields after the nonce. */
  extra?: string;
  /** Replaces the computed API-Sign. */
  signature?: string;
  json?: boolean;
}

/** The answer, with the JSON body parsed. */
export interface RawAnswer {
  status: number;
  json: { error: string[]; result?: Record<string, unknown> };
}

/** Sends a hand-signed private call. */
export async function rawCall(baseUrl: string, call: RawCall): Promise<RawAnswer> {
  const path = call.path ?? '/0/private/GetApiKeyInfo';
  const body = call.json
    ? JSON.stringify(call.nonce === null ? {} : { nonce: call.nonce })
    : [call.nonce === null ? '' : `nonce=${call.nonce}`, call.extra ?? ''].filter((p) => p !== '').join('&');
  const headers: Record<string, string> = {
    'Content-Type': call.json ? 'application/json' : 'application/x-www-form-urlencoded',
    'API-Sign': call.signature ?? referenceSign(call.secret ?? TRADER.secret ?? '', path, call.nonce ?? '', body),
  };
  const apiKey = call.apiKey === undefined ? TRADER.apiKey : call.apiKey;
  if (apiKey !== null && apiKey !== undefined) headers['API-Key'] = apiKey;
  const res = await request(`${baseUrl}${path}`, { method: 'POST', headers, body });
  return { status: res.statusCode, json: (await res.body.json()) as RawAnswer['json'] };
}

/** Calls the control API. */
export async function admin(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await request(`${baseUrl}/__sim/${path}`, { method: method as 'GET', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.statusCode, json: await res.body.json() };
}
