// Authenticates one request the way the simulator models OKX's gateway: every OK-ACCESS-* header
// present (50103/50104/50106/50107), a parseable timestamp (50112) inside the window (50102), a
// known live key (50111), its passphrase (50105), the signature over the raw bytes received
// (50113), then the caller IP against the key's binding (50110). OKX documents the codes but not
// their order; this order reports the cheapest, least revealing failure first. Pure: the caller
// supplies the clock reading and the key lookup.

import type { SimRequest } from '../../simulator-kit/http-server.ts';
import { ipAllowed } from '../ip.ts';
import { verifyOkx } from '../signing.ts';
import { CODE, fail, type OkxResult } from './envelope.ts';
import { passphraseMatches, type SimKey } from './state.ts';

/**
 * How far OK-ACCESS-TIMESTAMP may be from the venue clock, either way. OKX documents 30 s only
 * for WebSocket login ("The request will expire 30 seconds after the timestamp"); REST answers
 * 50102 for stale timestamps without naming its window, so the simulator applies the same 30 s.
 */
export const TIMESTAMP_WINDOW_MS = 30_000;

/** The parts of a request authentication looks at, exactly as received, and the venue time. */
export type AuthRequest = Pick<SimRequest, 'method' | 'path' | 'headers' | 'rawQuery' | 'rawBody' | 'ip'> & { nowMs: number };

/** Either the authenticated key or OKX's refusal. */
export type AuthOutcome = { ok: true; key: SimKey } | { ok: false; refusal: OkxResult };

// ISO 8601 UTC with milliseconds, as OKX's docs show it (2020-12-08T09:08:57.715Z).
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Runs OKX's checks; `lookup` finds a live key by its public id. */
export function authenticate(req: AuthRequest, lookup: (apiKey: string) => SimKey | undefined): AuthOutcome {
  const h = authHeaders(req.headers);
  const missing = firstMissing(h);
  if (missing) return refuse(missing);
  const timeRefusal = checkTime(h.timestamp, req.nowMs);
  if (timeRefusal) return refuse(timeRefusal);
  const key = lookup(h.apiKey);
  if (!key) return refuse(CODE.keyInvalid);
  if (!passphraseMatches(key, h.passphrase)) return refuse(CODE.passphraseWrong);
  const requestPath = req.rawQuery === '' ? req.path : `${req.path}?${req.rawQuery}`;
  const body = req.method === 'GET' ? '' : req.rawBody;
  if (!verifyOkx(key.secretKey, { timestamp: h.timestamp, method: req.method, requestPath, body }, h.sign)) {
    return refuse(CODE.signInvalid);
  }
  if (key.ips.length > 0 && !ipAllowed(req.ip, key.ips)) return { ok: false, refusal: fail(CODE.ipNotAllowed, req.ip) };
  return { ok: true, key };
}

/** OKX's time rule; the refusing code, or undefined when the timestamp is acceptable. */
export function checkTime(timestamp: string, nowMs: number): string | undefined {
  const at = ISO_MS.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) return CODE.timestampInvalid;
  return Math.abs(nowMs - at) > TIMESTAMP_WINDOW_MS ? CODE.timestampExpired : undefined;
}

type AuthHeaders = Record<'apiKey' | 'passphrase' | 'sign' | 'timestamp', string>;

function authHeaders(headers: AuthRequest['headers']): AuthHeaders {
  return {
    apiKey: headers['ok-access-key'] ?? '',
    passphrase: headers['ok-access-passphrase'] ?? '',
    sign: headers['ok-access-sign'] ?? '',
    timestamp: headers['ok-access-timestamp'] ?? '',
  };
}

function firstMissing(h: AuthHeaders): string | undefined {
  if (h.apiKey === '') return CODE.keyEmpty;
  if (h.passphrase === '') return CODE.passphraseEmpty;
  if (h.sign === '') return CODE.signEmpty;
  if (h.timestamp === '') return CODE.timestampEmpty;
  return undefined;
}

function refuse(code: string): AuthOutcome {
  return { ok: false, refusal: fail(code) };
}
