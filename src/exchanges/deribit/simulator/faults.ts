// Deribit's fault action for the kit's fault injection: answer with a JSON-RPC error (and
// Deribit's short message for its code, unless one is given). Latency, HTTP statuses and
// timeouts come from the kit unchanged.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { Fault as KitFault, FaultSpec as KitFaultSpec, VenueFaultKind } from '../../simulator-kit/faults.ts';
import { optionalField, requireNumber } from '../../simulator-kit/json-fields.ts';
import { envelope, fail, httpStatusFor, rpcMessage } from './envelope.ts';

/** Deribit's venue error: `{kind: 'rpcError', code, message?}`. */
export interface RpcErrorFault {
  kind: 'rpcError';
  code: number;
  message?: string;
}

/** A Deribit fault as requested. */
export type FaultSpec = KitFaultSpec<RpcErrorFault>;
/** A registered Deribit fault. */
export type Fault = KitFault<RpcErrorFault>;

/** Faults that name no pathPrefix hit every API call. */
export const DEFAULT_FAULT_PREFIX = '/api/v2/';

/** How the kit reads and checks Deribit's rpcError action. */
export const RPC_ERROR_FAULT: VenueFaultKind<RpcErrorFault> = {
  kind: 'rpcError',
  read: (value) => {
    const message = optionalField(value, 'message', 'string').message;
    return { kind: 'rpcError', code: requireNumber(value, 'code'), ...(typeof message === 'string' ? { message } : {}) };
  },
  check: (action) => (Number.isInteger(action.code) ? undefined : 'code must be an integer'),
};

/** The whole HTTP answer for an rpcError fault at venue time `nowMs`. */
export function rpcErrorFaultAnswer(action: RpcErrorFault, nowMs: number): SimAnswer {
  const result = fail({ code: action.code, message: action.message ?? rpcMessage(action.code) });
  return { status: httpStatusFor(result), headers: { 'Content-Type': 'application/json' }, body: envelope(result, undefined, nowMs, nowMs) };
}
