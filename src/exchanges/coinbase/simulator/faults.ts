// Coinbase's fault action for the kit's fault injection: answer with a Coinbase error status and
// body (`{kind: 'coinbaseError', status, error?, message?}`; 401 is the bare "Unauthorized").
// Latency, plain HTTP statuses and timeouts come from the kit unchanged.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { Fault as KitFault, FaultSpec as KitFaultSpec, VenueFaultKind } from '../../simulator-kit/faults.ts';
import { optionalField, requireNumber } from '../../simulator-kit/json-fields.ts';
import { errorAnswer } from './envelope.ts';

/** Coinbase's venue error. */
export interface CoinbaseErrorFault {
  kind: 'coinbaseError';
  status: number;
  error?: string;
  message?: string;
}

/** A Coinbase fault as requested. */
export type FaultSpec = KitFaultSpec<CoinbaseErrorFault>;
/** A registered Coinbase fault. */
export type Fault = KitFault<CoinbaseErrorFault>;

/** Faults that name no pathPrefix hit every Advanced Trade call. */
export const DEFAULT_FAULT_PREFIX = '/api/v3/brokerage/';

/** How the kit reads and checks Coinbase's error action. */
export const COINBASE_ERROR_FAULT: VenueFaultKind<CoinbaseErrorFault> = {
  kind: 'coinbaseError',
  read: (value) => {
    const { error } = optionalField(value, 'error', 'string');
    const { message } = optionalField(value, 'message', 'string');
    return {
      kind: 'coinbaseError',
      status: requireNumber(value, 'status'),
      ...(typeof error === 'string' ? { error } : {}),
      ...(typeof message === 'string' ? { message } : {}),
    };
  },
  check: (action) => (Number.isInteger(action.status) && action.status >= 400 && action.status <= 599 ? undefined : 'status must be a 4xx or 5xx status'),
};

/** The answer to a Coinbase error fault. */
export function coinbaseErrorFaultAnswer(action: CoinbaseErrorFault): SimAnswer {
  return errorAnswer(action.status, action.error ?? 'UNKNOWN_FAILURE_REASON', action.message ?? `injected ${action.status}`);
}
