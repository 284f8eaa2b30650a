// OKX's response envelope, codes, messages and HTTP statuses as the simulator emits them. Codes,
// messages and statuses follow OKX API v5 docs, "Error Code → REST API → Public" and "→ Account"
// (as scraped in rosssaunders/coincise); codes are strings on the wire.

/** A handler's verdict before it is wrapped in the envelope. */
export interface OkxResult {
  code: string;
  msg: string;
  data: unknown[];
}

/** Codes the simulator emits. */
export const CODE = {
  ok: '0',
  bodyEmpty: '50000',
  jsonSyntax: '50002',
  contentType: '50006',
  rateLimit: '50011',
  paramEmpty: '50014',
  ipRequired: '50035',
  timestampExpired: '50102',
  keyEmpty: '50103',
  passphraseEmpty: '50104',
  passphraseWrong: '50105',
  signEmpty: '50106',
  timestampEmpty: '50107',
  ipNotAllowed: '50110',
  keyInvalid: '50111',
  timestampInvalid: '50112',
  signInvalid: '50113',
  method: '50115',
  noPermission: '50120',
  paramError: '51000',
  mainOnly: '59500',
  tooManyKeys: '59501',
  labelTaken: '59502',
  tooManyIps: '59503',
  noWithdraw: '59504',
  passphraseFormat: '59505',
  keyMissing: '59506',
  subAccountMissing: '59510',
} as const;

// [HTTP status, message] by code.
const TABLE: Readonly<Record<string, readonly [number, string]>> = {
  [CODE.ok]: [200, ''],
  [CODE.bodyEmpty]: [400, 'Body for POST request cannot be empty.'],
  [CODE.jsonSyntax]: [400, 'JSON syntax error'],
  [CODE.contentType]: [400, 'Invalid Content-Type. Please use "application/JSON".'],
  // OKX lists 50011 under both 200 and 429; per-endpoint limits are observed as 429.
  [CODE.rateLimit]: [429, 'Too Many Requests'],
  [CODE.paramEmpty]: [400, 'Parameter {param0} can not be empty.'],
  [CODE.ipRequired]: [403, 'This endpoint requires that APIKey must be bound to IP'],
  [CODE.timestampExpired]: [401, 'Timestamp request expired.'],
  [CODE.keyEmpty]: [401, 'Request header "OK-ACCESS-KEY" cannot be empty.'],
  [CODE.passphraseEmpty]: [401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.'],
  [CODE.passphraseWrong]: [401, 'Request header "OK-ACCESS-PASSPHRASE" incorrect.'],
  [CODE.signEmpty]: [401, 'Request header "OK-ACCESS-SIGN" cannot be empty.'],
  [CODE.timestampEmpty]: [401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.'],
  [CODE.ipNotAllowed]: [401, "Your IP {param0} is not included in your API key's IP whitelist."],
  [CODE.keyInvalid]: [401, 'Invalid OK-ACCESS-KEY.'],
  [CODE.timestampInvalid]: [401, 'Invalid OK-ACCESS-TIMESTAMP.'],
  [CODE.signInvalid]: [401, 'Invalid signature.'],
  [CODE.method]: [405, 'Invalid request method.'],
  [CODE.noPermission]: [200, "This API key doesn't have permission to use this function"],
  [CODE.paramError]: [400, 'Parameter {param0} error'],
  [CODE.mainOnly]: [200, 'Only the API key of the main account has permission.'],
  [CODE.tooManyKeys]: [200, 'Each account can create up to 50 API keys'],
  [CODE.labelTaken]: [200, 'This note name already exists. Enter a unique API key note name'],
  [CODE.tooManyIps]: [200, 'Each API key can bind up to 20 IP addresses'],
  [CODE.noWithdraw]: [200, "Sub-accounts don't support withdrawals. Please use your main account for withdrawals."],
  [CODE.passphraseFormat]: [200, 'The passphrase format is incorrect.'],
  [CODE.keyMissing]: [200, "API key doesn't exist."],
  [CODE.subAccountMissing]: [200, 'Sub-account does not exist'],
  '50001': [503, 'Service temporarily unavailable. Please try again later.'],
  '50013': [429, 'Systems are busy. Please try again later.'],
  '50026': [500, 'System error. Try again later'],
  '50061': [200, "You've reached the maximum order rate limit for this account."],
};

/** OKX's message for a code, with {param0} filled in ('' for codes the simulator does not know). */
export function codeMessage(code: string, param0 = ''): string {
  return (TABLE[code]?.[1] ?? '').replace('{param0}', param0);
}

/** The HTTP status OKX sends with a code (200 for business codes it does not list). */
export function httpStatusFor(code: string): number {
  return TABLE[code]?.[0] ?? 200;
}

/** A failed result with OKX's message (its {param0} filled), or a more specific one. */
export function fail(code: string, param0?: string): OkxResult {
  return { code, msg: codeMessage(code, param0), data: [] };
}

/** A successful result. */
export function ok(data: unknown[]): OkxResult {
  return { code: CODE.ok, msg: '', data };
}

/** The JSON body OKX sends: `{code, msg, data}`. */
export function envelope(result: OkxResult): string {
  return JSON.stringify({ code: result.code, msg: result.msg, data: result.data });
}
