// Binance's fault action for the kit's fault injection: answer with a Binance error code (and
// Binance's message and HTTP status for it, unless given). Latency, HTTP statuses (429, 418, 5xx
// with Retry-After) and timeouts come from the kit unchanged.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { Fault as KitFault, FaultSpec as KitFaultSpec, VenueFaultKind } from '../../simulator-kit/faults.ts';
import { optionalField, requireNumber } from '../../simulator-kit/json-fields.ts';
import { codeMessage, errorBody, httpStatusFor } from './envelope.ts';

/** Binance's venue error: `{kind: 'binanceError', code, msg?, httpStatus?}`. */
export interface BinanceErrorFault {
  kind: 'binanceError';
  code: number;
  msg?: string;
  httpStatus?: number;
}

/** A Binance fault as requested. */
export type FaultSpec = KitFaultSpec<BinanceErrorFault>;
/** A registered Binance fault. */
export type Fault = KitFault<BinanceErrorFault>;

/** Faults that name no pathPrefix hit every SAPI call. */
export const DEFAULT_FAULT_PREFIX = '/sapi/';

/** How the kit reads and checks Binance's error action. */
export const BINANCE_ERROR_FAULT: VenueFaultKind<BinanceErrorFault> = {
  kind: 'binanceError',
  read: (value) => {
    const { msg } = optionalField(value, 'msg', 'string');
    const { httpStatus } = optionalField(value, 'httpStatus', 'number');
    return {
      kind: 'binanceError',
      code: requireNumber(value, 'code'),
      ...(typeof msg === 'string' ? { msg } : {}),
      ...(typeof httpStatus === 'number' ? { httpStatus } : {}),
    };
  },
  check: (action) => {
    if (!Number.isInteger(action.code) || action.code >= 0) return 'code must be a negative integer';
    const status = action.httpStatus;
    return status === undefined || (Number.isInteger(status) && status >= 400 && status <= 599) ? undefined : 'httpStatus must be a 4xx or 5xx status';
  },
};

/** The whole HTTP answer for a Binance error fault. */
export function binanceErrorFaultAnswer(action: BinanceErrorFault): SimAnswer {
  return {
    status: action.httpStatus ?? httpStatusFor(action.code),
    headers: { 'Content-Type': 'application/json' },
    body: errorBody(action.code, action.msg ?? codeMessage(action.code)),
  };
}
