// Kraken's fault action for the kit's fault injection: answer with one of Kraken's error strings
// (under HTTP 200, as Kraken does, unless told otherwise). Latency, HTTP statuses and timeouts
// come from the kit unchanged.

import type { SimAnswer } from '../../simulator-kit/fault-response.ts';
import type { Fault as KitFault, FaultSpec as KitFaultSpec, VenueFaultKind } from '../../simulator-kit/faults.ts';
import { field, optionalField } from '../../simulator-kit/json-fields.ts';
import { envelopeBody, fail } from './envelope.ts';

/** Kraken's venue error: `{kind: 'krakenError', error: 'EAPI:Rate limit exceeded', httpStatus?}`. */
export interface KrakenErrorFault {
  kind: 'krakenError';
  error: string;
  httpStatus?: number;
}

/** A Kraken fault as requested. */
export type FaultSpec = KitFaultSpec<KrakenErrorFault>;
/** A registered Kraken fault. */
export type Fault = KitFault<KrakenErrorFault>;

/** Faults that name no pathPrefix hit every private call. */
export const DEFAULT_FAULT_PREFIX = '/0/private/';

/** How the kit reads and checks Kraken's error action. */
export const KRAKEN_ERROR_FAULT: VenueFaultKind<KrakenErrorFault> = {
  kind: 'krakenError',
  read: (value) => {
    const error = field(value, 'error');
    if (typeof error !== 'string') throw new Error('error must be a string');
    const { httpStatus } = optionalField(value, 'httpStatus', 'number');
    return { kind: 'krakenError', error, ...(typeof httpStatus === 'number' ? { httpStatus } : {}) };
  },
  check: (action) => {
    if (!/^[EW][A-Za-z]+:.+/.test(action.error)) return 'error must look like "EAPI:Invalid key"';
    const status = action.httpStatus;
    return status === undefined || (Number.isInteger(status) && status >= 200 && status <= 599) ? undefined : 'httpStatus must be an HTTP status';
  },
};

/** The answer to a Kraken error fault. */
export function krakenErrorFaultAnswer(action: KrakenErrorFault): SimAnswer {
  return { status: action.httpStatus ?? 200, headers: { 'Content-Type': 'application/json' }, body: envelopeBody(fail(action.error)) };
}
