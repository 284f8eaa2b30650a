// The one error type of the envelope layer. Callers branch on `kind` (and `retryable`), never on
// message text; messages are written for an SRE and must never carry key material or plaintext.

/** Why opening or sealing an envelope failed; see docs/envelope-format.md, "Errors". */
export type EnvelopeErrorKind =
  | 'malformed' // not a well-formed v1 envelope (or invalid input): fix the writer
  | 'unsupported-version' // a format version this reader does not implement: upgrade the reader
  | 'context-mismatch' // the envelope says it belongs to another Secret or key version
  | 'tampered' // authentication failed: altered, moved or mixed-up ciphertext or wrapped key
  | 'unknown-key' // the provider or master key named by the envelope is not available here
  | 'provider-unavailable'; // a remote key service failed; see `retryable`

/** Every failure of the crypto layer; `kind` decides handling, the message explains it. */
export class EnvelopeError extends Error {
  readonly kind: EnvelopeErrorKind;
  /** True only when the same call may succeed later (a remote provider was briefly unavailable). */
  readonly retryable: boolean;

  constructor(kind: EnvelopeErrorKind, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EnvelopeError';
    this.kind = kind;
    this.retryable = kind === 'provider-unavailable' && options.retryable === true;
  }
}

/** True when `error` is an EnvelopeError, optionally of the given kind. */
export function isEnvelopeError(error: unknown, kind?: EnvelopeErrorKind): error is EnvelopeError {
  return error instanceof EnvelopeError && (kind === undefined || error.kind === kind);
}
