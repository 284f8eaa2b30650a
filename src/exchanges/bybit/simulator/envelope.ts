// Bybit's response envelope, retCodes and messages as the simulator emits them. Messages follow
// Bybit's gateway error table; HTTP statuses follow its documented behaviour: business errors
// ride on HTTP 200, an unknown/invalid API key is a 401, an unknown route a 404.

/** A handler's verdict before it is wrapped in the envelope. */
export interface RetResult {
  retCode: number;
  retMsg: string;
  result: unknown;
}

/** retCodes the simulator emits. */
export const RET = {
  ok: 0,
  params: 10001,
  timestamp: 10002,
  apiKey: 10003,
  sign: 10004,
  permission: 10005,
  rateLimit: 10006,
  ip: 10010,
  internal: 10016,
  routeNotFound: 10017,
  expired: 33004,
} as const;

const MESSAGES: Readonly<Record<number, string>> = {
  [RET.ok]: '',
  [RET.params]: 'Request parameter error.',
  [RET.timestamp]: 'The request time exceeds the time window range.',
  [RET.apiKey]: 'API key is invalid.',
  [RET.sign]: 'Error sign, please check your signature generation algorithm.',
  [RET.permission]: 'Permission denied, please check your API key permissions.',
  [RET.rateLimit]: 'Too many visits. Exceeded the API Rate Limit.',
  [RET.ip]: "Unmatched IP, please check your API key's bound IP addresses.",
  [RET.internal]: 'Internal System Error.',
  [RET.routeNotFound]: 'Route not found.',
  [RET.expired]: 'Your api key has expired.',
};

/** Bybit's standard message for a retCode ('' when it has none). */
export function retMessage(retCode: number): string {
  return MESSAGES[retCode] ?? '';
}

/** A failed result with Bybit's message, or a more specific one. */
export function fail(retCode: number, retMsg: string = retMessage(retCode)): RetResult {
  return { retCode, retMsg, result: {} };
}

/** A successful result. */
export function ok(result: unknown, retMsg = ''): RetResult {
  return { retCode: RET.ok, retMsg, result };
}

/** The HTTP status Bybit sends alongside a retCode. */
export function httpStatusFor(retCode: number): number {
  if (retCode === RET.apiKey) return 401;
  if (retCode === RET.routeNotFound) return 404;
  return 200;
}

/** The JSON body Bybit sends: `{retCode, retMsg, result, retExtInfo, time}`. */
export function envelope(res: RetResult, nowMs: number): string {
  return JSON.stringify({ retCode: res.retCode, retMsg: res.retMsg, result: res.result, retExtInfo: {}, time: nowMs });
}

/** Bybit's datetime format in key descriptions: ISO 8601 to the second, UTC. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
