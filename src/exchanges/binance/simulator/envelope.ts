// Binance's error answers as the simulator emits them: `{code, msg}` with the messages of Binance's
// error table (binance-spot-api-docs errors.md) and the HTTP statuses Binance sends with them:
// 401 for a rejected or malformed API key, 429 for request weight, 400 for every other request
// error ("HTTP 4XX return codes are used for malformed requests").

/** A handler's verdict: a JSON answer or a Binance error. */
export type SimResult = { ok: true; body: unknown } | SimFailure;

/** A Binance error answer. */
export interface SimFailure {
  ok: false;
  code: number;
  msg: string;
}

/** Codes the simulator emits. */
export const CODE = {
  unauthorized: -1002,
  tooManyRequests: -1003,
  timestamp: -1021,
  signature: -1022,
  mandatory: -1102,
  invalidParameter: -1130,
  recvWindow: -1131,
  badKeyFormat: -2014,
  rejectedKey: -2015,
  unsupported: -9000,
} as const;

const MESSAGES: Readonly<Record<number, string>> = {
  [CODE.unauthorized]: 'You are not authorized to execute this request.',
  [CODE.tooManyRequests]: 'Too many requests.',
  [CODE.timestamp]: 'Timestamp for this request is outside of the recvWindow.',
  [CODE.signature]: 'Signature for this request is not valid.',
  [CODE.mandatory]: 'A mandatory parameter was not sent, was empty/null, or malformed.',
  [CODE.invalidParameter]: 'Invalid data sent for a parameter.',
  [CODE.recvWindow]: 'recvWindow must be less than 60000',
  [CODE.badKeyFormat]: 'API-key format invalid.',
  [CODE.rejectedKey]: 'Invalid API-key, IP, or permissions for action.',
  [CODE.unsupported]: 'Unsupported operation',
};

/** Binance's standard message for a code ('' when it has none). */
export function codeMessage(code: number): string {
  return MESSAGES[code] ?? '';
}

/** A failure with Binance's message, or a more specific one. */
export function fail(code: number, msg: string = codeMessage(code)): SimFailure {
  return { ok: false, code, msg };
}

/** "Mandatory parameter '%s' was not sent, was empty/null, or malformed." */
export function missing(name: string): SimFailure {
  return fail(CODE.mandatory, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/** "Data sent for parameter '%s' is not valid." */
export function invalid(name: string, detail?: string): SimFailure {
  return fail(CODE.invalidParameter, `Data sent for parameter '${name}' is not valid.${detail === undefined ? '' : ` ${detail}`}`);
}

/** A successful answer. */
export function ok(body: unknown): SimResult {
  return { ok: true, body };
}

/** The HTTP status Binance sends with an error code. */
export function httpStatusFor(code: number): number {
  if (code === CODE.rejectedKey || code === CODE.badKeyFormat) return 401;
  if (code === CODE.tooManyRequests) return 429;
  return 400;
}

/** The JSON body of a failure. */
export function errorBody(code: number, msg: string): string {
  return JSON.stringify({ code, msg });
}
