// Failures of the mounted volume itself (as opposed to the envelope inside it, which fails with
// EnvelopeError). Messages name directories and files, never their contents.

/** Why the mounted files could not be turned into a key version. */
export type KeyVolumeErrorKind =
  | 'missing' // the directory or a required file is absent: the Secret is not (yet) mounted or is incomplete
  | 'unreadable' // an I/O error other than absence (permissions, ...)
  | 'invalid' // the files are there but do not hold a key version (bad version file, not key material)
  | 'rollback'; // the volume holds an older version than the one being served: ignored

/** A mounted Secret that could not be served; `kind` decides handling, the message explains it. */
export class KeyVolumeError extends Error {
  readonly kind: KeyVolumeErrorKind;
  /** True when the same read may succeed later without anyone fixing anything. */
  readonly retryable: boolean;

  constructor(kind: KeyVolumeErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyVolumeError';
    this.kind = kind;
    this.retryable = kind === 'missing' || kind === 'unreadable';
  }
}

/** True when `error` is a KeyVolumeError, optionally of the given kind. */
export function isKeyVolumeError(error: unknown, kind?: KeyVolumeErrorKind): error is KeyVolumeError {
  return error instanceof KeyVolumeError && (kind === undefined || error.kind === kind);
}
