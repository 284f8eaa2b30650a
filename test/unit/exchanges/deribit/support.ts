// Shared helpers for the Deribit tests: a simulator on a loopback port and hand-built signed
// requests whose every byte the test controls (so the simulator is checked, not our client).

import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { Clock } from '../../../../src/runtime/clock.ts';
import { startDeribitSimulator, type DeribitSimulator, type DeribitSimulatorOptions } from '../../../../src/exchanges/deribit/simulator/index.ts';

export const MASTER_KEY = 'MaStEr01';
export const MASTER_SECRET = 'master-secret-0000000000000000000000000000';
export const SUB_ACCOUNT = '7';

/** Starts a simulator on 127.0.0.1:0 with the standard managing key. */
export function startSim(options: Partial<DeribitSimulatorOptions> = {}): Promise<DeribitSimulator> {
  return startDeribitSimulator({ masterKey: MASTER_KEY, masterSecret: MASTER_SECRET, ...options });
}

/** Independent reference: hex(HMAC-SHA256(secret, text)). */
export function referenceHmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** A raw request with deri-hmac-sha256 built by hand. */
export interface RawCall {
  method?: 'GET' | 'POST';
  /** Path and query, e.g. "/api/v2/private/list_api_keys". */
  uri: string;
  body?: string;
  clientId?: string;
  secret?: string;
  timestamp?: number;
  nonce?: string;
  /** Replaces the computed signature. */
  sig?: string;
  /** Replaces the whole Authorization header (null omits it). */
  authorization?: string | null;
}

/** The answer, parsed. */
export interface RawAnswer {
  status: number;
  json: { id?: unknown; result?: any; error?: { code: number; message: string; data?: { reason?: string } }; usIn: number };
}

let nonces = 0;

/** Sends a hand-signed request: StringToSign = ts\nnonce\nMETHOD\nURI\nBODY\n. */
export async function rawCall(baseUrl: string, call: RawCall, clock: Clock): Promise<RawAnswer> {
  const method = call.method ?? (call.body === undefined ? 'GET' : 'POST');
  const ts = String(call.timestamp ?? clock.nowMs());
  const nonce = call.nonce ?? `n${++nonces}`;
  const body = call.body ?? '';
  const sig = call.sig ?? referenceHmac(call.secret ?? MASTER_SECRET, `${ts}\n${nonce}\n${method}\n${call.uri}\n${body}\n`);
  const authorization = call.authorization === undefined
    ? `deri-hmac-sha256 id=${call.clientId ?? MASTER_KEY},ts=${ts},sig=${sig},nonce=${nonce}`
    : call.authorization;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (authorization !== null) headers.Authorization = authorization;
  const res = await request(`${baseUrl}${call.uri}`, { method, headers, ...(method === 'POST' ? { body } : {}) });
  return { status: res.statusCode, json: (await res.body.json()) as RawAnswer['json'] };
}

/** A JSON-RPC body. */
export function rpcBody(method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: '2.0', id: 42, method, params });
}

/** Creates an HMAC key through the simulator's HTTP API as the master; returns its credentials. */
export async function createKey(baseUrl: string, clock: Clock, params: Record<string, unknown> = {}): Promise<{ id: number; clientId: string; secret: string }> {
  const answer = await rawCall(baseUrl, { uri: '/api/v2/private/create_api_key', body: rpcBody('private/create_api_key', { max_scope: 'account:read trade:read', name: 'test', ...params }) }, clock);
  if (!answer.json.result) throw new Error(`create failed: ${JSON.stringify(answer.json)}`);
  return { id: answer.json.result.id, clientId: answer.json.result.client_id, secret: answer.json.result.client_secret };
}
