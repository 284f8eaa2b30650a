// The contract between exkey's controllers and one trading venue. Adapters import nothing from
// Kubernetes: controllers translate ExchangeKey fields into these values and back.

import type { Clock } from '../runtime/clock.ts';

/** exkey's normalised permission vocabulary; each adapter maps it to the venue's own. */
export const PERMISSIONS = [
  'read',
  'trade',
  'trade:spot',
  'trade:derivatives',
  'trade:options',
  'transfer',
  'withdraw',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions that move funds out of the account; refused unless the spec allows withdrawals. */
export const FUND_MOVING_PERMISSIONS: readonly Permission[] = ['withdraw', 'transfer'];

export type KeyType = 'hmac' | 'ed25519' | 'rsa';

/** Credentials that sign requests: the managing (master) key, or an issued key being validated. */
export interface Credentials {
  /** The venue's public key identifier (Bybit `apiKey`, OKX `apiKey`, Deribit `client_id`). */
  keyId: string;
  /** HMAC secret; absent for asymmetric keys. */
  secret?: string;
  /** PEM private key for asymmetric keys. */
  privateKey?: string;
  /** OKX-style passphrase. */
  passphrase?: string;
}

/**
 * Who owns a key at the venue. Adapters write it into the venue's label/note/name field so that
 * keys created but never recorded (a crash between create and persist) can be found and removed.
 */
export interface Owner {
  /** metadata.uid of the ExchangeKey. */
  uid: string;
  /** Key version within that ExchangeKey (1, 2, ...). */
  version: number;
}

/** What to create at the venue. */
export interface KeyRequest {
  /** Venue-specific scope, e.g. Bybit sub-account uid. */
  account?: string;
  permissions: readonly Permission[];
  /** IPs or CIDRs; empty means no IP binding. */
  ipAllowlist: readonly string[];
  keyType: KeyType;
  /** For asymmetric keys: the public key (PEM) generated in the cluster. */
  publicKey?: string;
  owner: Owner;
}

/** A key the venue just created. `secret` is shown once and must be persisted before anything else. */
export interface IssuedKey {
  credentials: Credentials;
  /** When the venue says the key stops working, if it imposes an expiry. */
  expiresAt?: Date;
}

/** What the venue reports about a key when asked with that key's own signature. */
export interface KeyInfo {
  keyId: string;
  permissions: Permission[];
  /** Venue permissions exkey has no name for, kept verbatim so drift can be reported. */
  unmappedPermissions: string[];
  ipAllowlist: string[];
  /**
   * The venue says the key is IP-restricted but not to which addresses (the key cannot read its
   * own list); `ipAllowlist` is then empty and only the presence of a restriction can be checked.
   */
  ipRestrictedUnlisted?: boolean;
  /** The venue does not say anything about IP binding (Coinbase): no IP check is possible. */
  ipAllowlistUnknown?: boolean;
  withdrawEnabled: boolean;
  expiresAt?: Date;
}

/** A key found at the venue under an exkey ownership label. */
export interface OwnedKey {
  keyId: string;
  owner: Owner;
  account?: string;
}

/** Identifies a key to revoke. */
export interface KeyRef {
  keyId: string;
  account?: string;
}

/** One venue's key-management API. Every method is safe to retry. */
export interface ExchangeAdapter {
  /** Adapter name as used in ExchangeKey.spec.exchange. */
  readonly name: string;
  /** Creates a key. Throws ExchangeError; never returns a partially created key. */
  create(master: Credentials, request: KeyRequest): Promise<IssuedKey>;
  /** Signed read-only call made with the key itself; reports what the venue thinks it may do. */
  validate(key: Credentials, account?: string): Promise<KeyInfo>;
  /** Deletes a key. A key that does not exist counts as revoked (idempotent). */
  revoke(master: Credentials, key: KeyRef): Promise<void>;
  /** Keys at the venue carrying exkey ownership labels for `ownerUid` (all versions). */
  listOwned(master: Credentials, ownerUid: string, account?: string): Promise<OwnedKey[]>;
}

/** What every adapter factory receives. */
export interface AdapterOptions {
  /** Base URL override (testnet or a local simulator). */
  endpoint?: string;
  clock: Clock;
  /** Per-request timeout. */
  timeoutMs?: number;
  /**
   * Space calls to the venue's published per-endpoint limits on `clock` (off by default; the
   * operator turns it on). Venues whose limits are a shared credit or weight budget rely on
   * backing off after a rate-limit answer instead.
   */
  pacing?: boolean;
}

export type AdapterFactory = (options: AdapterOptions) => ExchangeAdapter;

/** Broad classes of venue failure, which decide retries and the condition reason shown to users. */
export type ExchangeErrorKind =
  | 'auth' // bad key or signature: fix credentials
  | 'permission' // the calling key may not do this
  | 'rate-limit' // slow down; retry later
  | 'invalid-request' // the request itself is wrong: terminal until the spec changes
  | 'not-found'
  | 'unavailable' // 5xx, timeouts, connection errors: retry
  | 'clock-skew'; // timestamp outside the venue's window: retry after resync

/** A typed venue failure that keeps the venue's own code and says whether retrying can help. */
export class ExchangeError extends Error {
  readonly venue: string;
  readonly kind: ExchangeErrorKind;
  /** The venue's own error code (Bybit retCode, Binance code, ...), or HTTP status. */
  readonly code: string;
  readonly httpStatus: number | undefined;
  /** Suggested delay before retrying (e.g. from Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    venue: string;
    kind: ExchangeErrorKind;
    code: string;
    message: string;
    httpStatus?: number;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.name = 'ExchangeError';
    this.venue = init.venue;
    this.kind = init.kind;
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** True when the same call may succeed later without any change to the request. */
  get retryable(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'unavailable' || this.kind === 'clock-skew';
  }
}

/**
 * The read-only half of an adapter, for venues where humans create and delete keys (Kraken,
 * Coinbase): exkey only asks the venue what it thinks of a key a human put in a Secret.
 *
 * Error contract (the manual flow's "probe until the old key is refused" relies on it):
 * - a key the venue refuses as unknown, deleted, revoked, expired or badly signed → ExchangeError
 *   kind 'auth';
 * - transient failures (5xx, timeouts, the venue's own "busy") → 'unavailable'; limits →
 *   'rate-limit'; a nonce or timestamp outside the venue's window → 'clock-skew' (all retryable);
 * - a key the venue knows but will not serve from here (IP allowlist) → 'permission'.
 */
export interface KeyValidator {
  /** Venue name as used in ExchangeKey.spec.exchange. */
  readonly name: string;
  /** Signed read-only call made with the key itself; reports what the venue thinks it may do. */
  validate(key: Credentials): Promise<KeyInfo>;
}

/** Builds a validator from the same options an adapter takes. */
export type ValidatorFactory = (options: AdapterOptions) => KeyValidator;
