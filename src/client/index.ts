// exkey's consumer library: trading processes read the key exkey publishes from the mounted Secret,
// hold it in memory, and follow rotations without restarting. See docs/consumers.md.

export { DEFAULT_POLL_INTERVAL_MS, RETRY_BACKOFF, openExchangeKey } from './handle.ts';
export { KeyVolumeError, isKeyVolumeError, type KeyVolumeErrorKind } from './errors.ts';
export {
  DEFAULT_KEYRING_NAMESPACE,
  DEFAULT_KEYRING_SECRET,
  DEFAULT_RING_RELOAD_MS,
  localKeyRingUnwrapper,
  type LocalKeyRingFromData,
  type LocalKeyRingFromSecret,
  type LocalKeyRingUnwrapper,
} from './keyring.ts';
export { awsKmsUnwrapper, vaultTransitUnwrapper, type ClosableUnwrapper, type VaultTransitUnwrapperOptions } from './providers.ts';
export type {
  ChangeEvent,
  ErrorEvent,
  ExchangeKeyCredentials,
  ExchangeKeyError,
  ExchangeKeyHandle,
  OpenExchangeKeyOptions,
  RotateEvent,
} from './types.ts';
export { EnvelopeError, isEnvelopeError, type EnvelopeErrorKind, type KeyUnwrapper } from '../crypto/index.ts';
