// Deribit JSON-RPC over HTTP: every call is a POST to /api/v2/<method> with a JSON-RPC 2.0 body,
// authorised by signature credentials (a deri-hmac-sha256 header over the exact bytes sent) or by
// a bearer token from public/auth. Answers `{jsonrpc, id, result}` or `{jsonrpc, id, error}`
// become the result or a typed ExchangeError (Deribit API v2.1.1 "JSON-RPC", "Authentication").

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../runtime/clock.ts';
import type { HttpClient, HttpResponse } from '../http.ts';
import { isRecord } from '../json.ts';
import type { ExchangeError } from '../types.ts';
import { deribitBadResponse, deribitError, deribitHttpError, deribitTfaRequired } from './errors.ts';
import { deriHmacHeader, httpStringToSign, signDeribitHmac } from './signing.ts';

/** Production endpoint (the testnet is https://test.deribit.com). */
export const DERIBIT_MAINNET = 'https://www.deribit.com';

/** How one call is authorised. */
export type DeribitAuth =
  | { kind: 'public' }
  | { kind: 'signature'; clientId: string; secret: string }
  | { kind: 'bearer'; token: string };

/** Options for createDeribitClient. */
export interface DeribitClientOptions {
  endpoint: string;
  clock: Clock;
  http: HttpClient;
}

/** JSON-RPC calls against one Deribit endpoint. */
export interface DeribitClient {
  /** Calls `method` (e.g. "private/list_api_keys"); resolves with `result`. */
  call(auth: DeribitAuth, method: string, params?: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** Creates a client; each call is signed afresh with a new nonce. */
export function createDeribitClient(options: DeribitClientOptions): DeribitClient {
  const base = new URL(options.endpoint.replace(/\/+$/, ''));
  const basePath = base.pathname === '/' ? '' : base.pathname;
  let nextId = 1;
  return {
    call: async (auth, method, params = {}) => {
      const id = nextId++;
      const uri = `${basePath}/api/v2/${method}`;
      const body = JSON.stringify({ jsonrpc: '2.0', id, method, params });
      const timestampMs = options.clock.nowMs();
      const response = await options.http.send({
        method: 'POST',
        url: `${base.origin}${uri}`,
        headers: { 'Content-Type': 'application/json', ...authHeader(auth, { uri, body, timestampMs }) },
        body,
      });
      // public/auth with client_signature carries its own signed timestamp.
      const signedAtMs = auth.kind === 'signature' ? timestampMs : typeof params.timestamp === 'number' ? params.timestamp : undefined;
      return unwrapRpc(response, method, signedAtMs);
    },
  };
}

function authHeader(auth: DeribitAuth, request: { uri: string; body: string; timestampMs: number }): Record<string, string> {
  if (auth.kind === 'public') return {};
  if (auth.kind === 'bearer') return { Authorization: `bearer ${auth.token}` };
  const timestamp = String(request.timestampMs);
  const nonce = randomBytes(8).toString('hex');
  const signature = signDeribitHmac(auth.secret, httpStringToSign({ timestamp, nonce, method: 'POST', uri: request.uri, body: request.body }));
  return { Authorization: deriHmacHeader({ clientId: auth.clientId, timestamp, signature, nonce }) };
}

/**
 * Reads a JSON-RPC answer: `result`, or a typed error. A TFA-protected method that asks for a
 * security key answers with a result carrying `security_key_authorization_required: true`; that
 * is a refusal for exkey. `signedAtMs` lets a refused signature be recognised as clock skew.
 */
export function unwrapRpc(response: HttpResponse, method: string, signedAtMs?: number): unknown {
  const parsed = parseJson(response.body);
  if (!isRecord(parsed) || (!('result' in parsed) && !isRecord(parsed.error))) {
    if (response.status >= 200 && response.status < 300) throw deribitBadResponse(`${method}: body is not a JSON-RPC response`);
    throw deribitHttpError(response.status, response.body);
  }
  if (isRecord(parsed.error)) throw rpcError(parsed.error, parsed.usIn, response.status, signedAtMs);
  if (isRecord(parsed.result) && parsed.result.security_key_authorization_required === true) throw deribitTfaRequired(method);
  return parsed.result;
}

function rpcError(error: Record<string, unknown>, usIn: unknown, httpStatus: number, signedAtMs: number | undefined): ExchangeError {
  const { code, message, data } = error;
  const reason = isRecord(data) && typeof data.reason === 'string' ? data.reason : undefined;
  return deribitError({
    code: typeof code === 'number' ? code : 0,
    message: typeof message === 'string' ? message : '',
    httpStatus,
    ...(reason === undefined ? {} : { reason }),
    ...(typeof usIn === 'number' ? { serverUs: usIn } : {}),
    ...(signedAtMs === undefined ? {} : { signedAtMs }),
  });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
