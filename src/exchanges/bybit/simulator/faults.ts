// Bybit's fault action for the kit's fault injection: answer with a retCode (and Bybit's message
// for it, unless one is given) in Bybit's envelope. Latency, HTTP statuses and timeouts come from
// the kit unchanged.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { Fault as KitFault, FaultSpec as KitFaultSpec, VenueFaultKind } from '../../simulator-kit/faults.ts';
import { optionalField, requireNumber } from '../../simulator-kit/json-fields.ts';
import { envelope, fail, httpStatusFor, retMessage } from './envelope.ts';

/** Bybit's venue error: `{kind: 'retCode', retCode, retMsg?}`. */
export interface RetCodeFault {
  kind: 'retCode';
  retCode: number;
  retMsg?: string;
}

/** A Bybit fault as requested. */
export type FaultSpec = KitFaultSpec<RetCodeFault>;
/** A registered Bybit fault. */
export type Fault = KitFault<RetCodeFault>;

/** Faults that name no pathPrefix hit every v5 call. */
export const DEFAULT_FAULT_PREFIX = '/v5/';

/** How the kit reads and checks Bybit's retCode action. */
export const RET_CODE_FAULT: VenueFaultKind<RetCodeFault> = {
  kind: 'retCode',
  read: (value) => {
    const retMsg = optionalField(value, 'retMsg', 'string').retMsg;
    return { kind: 'retCode', retCode: requireNumber(value, 'retCode'), ...(typeof retMsg === 'string' ? { retMsg } : {}) };
  },
  check: (action) => (Number.isInteger(action.retCode) ? undefined : 'retCode must be an integer'),
};

/** The retCode and message a retCode fault answers with. */
export function faultRetCode(action: RetCodeFault): { retCode: number; retMsg: string } {
  return { retCode: action.retCode, retMsg: action.retMsg ?? retMessage(action.retCode) };
}

/** The whole HTTP answer for a retCode fault at venue time `nowMs`. */
export function retCodeFaultAnswer(action: RetCodeFault, nowMs: number): SimAnswer {
  const { retCode, retMsg } = faultRetCode(action);
  return { status: httpStatusFor(retCode), headers: { 'Content-Type': 'application/json' }, body: envelope(fail(retCode, retMsg), nowMs) };
}
