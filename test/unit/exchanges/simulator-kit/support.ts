// A toy venue for the kit's tests: its error action is {kind: 'venueCode', code, msg?}, shaped
// like the OKX/Binance/Deribit codes the next simulators will inject.

import { optionalField, requireNumber } from '../../../../src/exchanges/simulator-kit/json-fields.ts';
import type { VenueFaultKind } from '../../../../src/exchanges/simulator-kit/faults.ts';

export interface VenueCode {
  kind: 'venueCode';
  code: number;
  msg?: string;
}

export const VENUE_CODE: VenueFaultKind<VenueCode> = {
  kind: 'venueCode',
  read: (value) => ({ kind: 'venueCode', code: requireNumber(value, 'code'), ...optionalField(value, 'msg', 'string') }),
  check: (action) => (Number.isInteger(action.code) ? undefined : 'code must be an integer'),
};
