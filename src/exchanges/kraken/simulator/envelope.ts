// Kraken's answers as the simulator emits them: `{error: [...], result}` with the error strings
// of Kraken's "API error messages" page. Kraken sends its API errors under HTTP 200; the
// simulator does the same, so clients must read the body (as Kraken's own docs tell them to).

/** The error strings the simulator emits. */
export const ERROR = {
  invalidKey: 'EAPI:Invalid key',
  invalidSignature: 'EAPI:Invalid signature',
  invalidNonce: 'EAPI:Invalid nonce',
  rateLimit: 'EAPI:Rate limit exceeded',
  permissionDenied: 'EGeneral:Permission denied',
  invalidArguments: 'EGeneral:Invalid arguments',
  unknownMethod: 'EGeneral:Unknown method',
  unavailable: 'EService:Unavailable',
} as const;

/** A handler's verdict: a result or Kraken's error strings. */
export type SimResult = { ok: true; result: unknown } | SimFailure;

/** A Kraken error answer. */
export interface SimFailure {
  ok: false;
  error: string;
}

/** A failure with one of Kraken's error strings. */
export function fail(error: string): SimFailure {
  return { ok: false, error };
}

/** The JSON body of a verdict. */
export function envelopeBody(verdict: SimResult): string {
  return JSON.stringify(verdict.ok ? { error: [], result: verdict.result } : { error: [verdict.error] });
}
