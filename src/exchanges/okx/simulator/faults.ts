// OKX's fault action for the kit's fault injection: answer with an OKX code (and OKX's message
// and HTTP status for it, unless a message is given) in OKX's envelope. Latency, HTTP statuses and
// timeouts come from the kit unchanged.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { Fault as KitFault, FaultSpec as KitFaultSpec, VenueFaultKind } from '../../simulator-kit/faults.ts';
import { field, optionalField } from '../../simulator-kit/json-fields.ts';
import { codeMessage, envelope, httpStatusFor } from './envelope.ts';

/** OKX's venue error: `{kind: 'code', code, msg?}` (code as OKX writes it, e.g. "50011"). */
export interface CodeFault {
  kind: 'code';
  code: string;
  msg?: string;
}

/** An OKX fault as requested. */
export type FaultSpec = KitFaultSpec<CodeFault>;
/** A registered OKX fault. */
export type Fault = KitFault<CodeFault>;

/** Faults that name no pathPrefix hit every v5 call. */
export const DEFAULT_FAULT_PREFIX = '/api/v5/';

/** How the kit reads and checks OKX's code action (the code may be given as a number). */
export const CODE_FAULT: VenueFaultKind<CodeFault> = {
  kind: 'code',
  read: (value) => {
    const code = field(value, 'code');
    if (typeof code !== 'string' && typeof code !== 'number') throw new Error('code must be a string or a number');
    const msg = optionalField(value, 'msg', 'string').msg;
    return { kind: 'code', code: String(code), ...(typeof msg === 'string' ? { msg } : {}) };
  },
  check: (action) => (/^[1-9]\d{0,5}$/.test(action.code) ? undefined : 'code must be a non-zero OKX error code'),
};

/** The whole HTTP answer for a code fault. */
export function codeFaultAnswer(action: CodeFault): SimAnswer {
  const msg = action.msg ?? codeMessage(action.code);
  return {
    status: httpStatusFor(action.code),
    headers: { 'Content-Type': 'application/json' },
    body: envelope({ code: action.code, msg, data: [] }),
  };
}
