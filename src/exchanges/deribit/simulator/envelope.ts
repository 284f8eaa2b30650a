// Deribit's JSON-RPC answer as the simulator emits it: `{jsonrpc, id, result | error, usIn, usOut,
// usDiff, testnet}` (Deribit API v2.1.1 "Response messages"), with the RPC error codes and short
// messages of its "RPC Error Codes" table. Deribit publishes no HTTP status table: the simulator
// answers 200 for results, 401 for refused credentials (seen in the wild for 13009, e.g.
// knowm/XChange#3783) and 400 for every other error.

/** A handler's verdict before it is wrapped. */
export type RpcResult = { ok: true; result: unknown } | { ok: false; error: RpcError };

/** A JSON-RPC error object. */
export interface RpcError {
  code: number;
  message: string;
  data?: { reason?: string; param?: string };
}

/** RPC codes the simulator emits, with Deribit's short messages. */
export const RPC = {
  unauthorized: { code: 13009, message: 'unauthorized' },
  invalidCredentials: { code: 13004, message: 'invalid_credentials' },
  forbidden: { code: 13021, message: 'forbidden' },
  scopeExceeded: { code: 13403, message: 'scope_exceeded' },
  tooManyRequests: { code: 10028, message: 'too_many_requests' },
  tfaError: { code: 13668, message: 'security_key_authorization_error' },
  unavailableInSubaccount: { code: 13012, message: 'unavailable_in_subaccount' },
  invalidParams: { code: -32602, message: 'Invalid params' },
  methodNotFound: { code: -32601, message: 'Method not found' },
  parseError: { code: -32700, message: 'Parse error' },
} as const;

/** The standard message for a code ('' when the simulator has none). */
export function rpcMessage(code: number): string {
  return Object.values(RPC).find((e) => e.code === code)?.message ?? '';
}

/** A success. */
export function ok(result: unknown): RpcResult {
  return { ok: true, result };
}

/** A failure with the code's message and, optionally, Deribit's `data.reason` / `data.param`. */
export function fail(error: { code: number; message: string }, reason?: string, param?: string): RpcResult {
  const data = { ...(reason === undefined ? {} : { reason }), ...(param === undefined ? {} : { param }) };
  return { ok: false, error: { code: error.code, message: error.message, ...(Object.keys(data).length > 0 ? { data } : {}) } };
}

// Refused credentials.
const UNAUTHORISED_CODES: ReadonlySet<number> = new Set([10000, 13004, 13009]);

/** The HTTP status that goes with an answer. */
export function httpStatusFor(result: RpcResult): number {
  if (result.ok) return 200;
  return UNAUTHORISED_CODES.has(result.error.code) ? 401 : 400;
}

/** The JSON body: the request's id echoed, Deribit's timing fields in µs of venue time. */
export function envelope(result: RpcResult, id: unknown, receivedAtMs: number, nowMs: number): string {
  const usIn = receivedAtMs * 1000;
  const usOut = nowMs * 1000;
  const outcome = result.ok ? { result: result.result } : { error: result.error };
  return JSON.stringify({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), ...outcome, usIn, usOut, usDiff: usOut - usIn, testnet: true });
}
