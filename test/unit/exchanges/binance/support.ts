// Shared helpers for the Binance tests: a simulator on a loopback port and hand-built signed
// requests whose every byte the test controls (so the simulator is checked, not our client).

import { createHmac, createPrivateKey, sign } from 'node:crypto';
import { request } from 'undici';
import type { Clock } from '../../../../src/runtime/clock.ts';
import type { KeyRequest } from '../../../../src/exchanges/types.ts';
import { startBinanceSimulator, type BinanceSimulator } from '../../../../src/exchanges/binance/simulator/index.ts';

export const MASTER_KEY = 'MASTERKEY0000000000000000000000000000000000000000000000000000001';
export const MASTER_SECRET = 'MASTERSECRET000000000000000000000000000000000000000000000000001';
export const SUB_EMAIL = 'desk-a@sub.example.com';
export const OWNER_UID = '3f1c2b4a-9d8e-4f70-a1b2-c3d4e5f60718';

/** A key request for SUB_EMAIL: spot trading and transfer, no IPs, HMAC. */
export function keyRequest(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return { account: SUB_EMAIL, permissions: ['read', 'trade:spot', 'transfer'], ipAllowlist: [], keyType: 'hmac', owner: { uid: OWNER_UID, version: 1 }, ...overrides };
}

/** Starts a simulator on 127.0.0.1:0 with the standard master key. */
export function startSim(options: { clock?: Clock; rateLimits?: boolean; subAccounts?: string[]; random?: () => number } = {}): Promise<BinanceSimulator> {
  return startBinanceSimulator({ masterKey: MASTER_KEY, masterSecret: MASTER_SECRET, ...options });
}

/** A raw request with Binance auth built by hand. */
export interface RawCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Parameters before timestamp/recvWindow (already form-encoded). */
  params?: string;
  /** Where the parameters go; the query string by default. */
  inBody?: boolean;
  apiKey?: string | null;
  /** HMAC secret; MASTER_SECRET by default. */
  secret?: string;
  /** PEM private key (Ed25519/RSA) instead of a secret. */
  privateKey?: string;
  /** The timestamp parameter as sent; null omits it. */
  timestamp?: string | null;
  /** The recvWindow parameter as sent; null omits it. */
  recvWindow?: string | null;
  /** Replaces the computed signature (sent as is); null omits it. */
  signature?: string | null;
  /** Signs this payload instead of the one sent (to prove the raw bytes are what count). */
  signedPayload?: string;
}

/** The response, with the JSON body parsed. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

/** Independent signature: hex HMAC-SHA256, or base64 Ed25519/RSA-SHA256 URL-encoded (Binance docs). */
export function referenceSign(payload: string, secret: string | undefined, privateKey: string | undefined): string {
  if (privateKey !== undefined) {
    const key = createPrivateKey(privateKey);
    const digest = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return encodeURIComponent(sign(digest, Buffer.from(payload), key).toString('base64'));
  }
  return createHmac('sha256', secret ?? MASTER_SECRET).update(payload).digest('hex');
}

/** Sends a hand-signed request to the simulator. */
export async function rawCall(baseUrl: string, call: RawCall, clock: Clock): Promise<RawAnswer> {
  const parts = [call.params ?? ''];
  const timestamp = call.timestamp === undefined ? String(clock.nowMs()) : call.timestamp;
  if (timestamp !== null) parts.push(`timestamp=${timestamp}`);
  const recvWindow = call.recvWindow === undefined ? '5000' : call.recvWindow;
  if (recvWindow !== null) parts.push(`recvWindow=${recvWindow}`);
  const payload = parts.filter((p) => p !== '').join('&');
  const signature = call.signature === undefined ? referenceSign(call.signedPayload ?? payload, call.secret, call.privateKey) : call.signature;
  const signed = signature === null ? payload : `${payload}&signature=${signature}`;
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const apiKey = call.apiKey === undefined ? MASTER_KEY : call.apiKey;
  if (apiKey !== null) headers['X-MBX-APIKEY'] = apiKey;
  const url = call.inBody ? `${baseUrl}${call.path}` : `${baseUrl}${call.path}?${signed}`;
  const res = await request(url, { method: call.method, headers, ...(call.inBody ? { body: signed } : {}) });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
}

/** Form-encodes create parameters for SUB_EMAIL. */
export function createParams(overrides: Record<string, string> = {}): string {
  return new URLSearchParams({ email: SUB_EMAIL, apiName: 'test', status: '1', canTrade: 'true', ...overrides }).toString();
}

/** Creates a sub-account key through the simulator's HTTP API and returns its credentials. */
export async function createSubKey(baseUrl: string, clock: Clock, overrides: Record<string, string> = {}): Promise<{ apiKey: string; secret: string }> {
  const answer = await rawCall(baseUrl, { method: 'POST', path: '/sapi/v2/sub-account/subAccountApi', params: createParams(overrides), inBody: true }, clock);
  if (answer.status !== 200) throw new Error(`create failed: ${JSON.stringify(answer.json)}`);
  return { apiKey: answer.json.apiKey, secret: answer.json.secretKey };
}
