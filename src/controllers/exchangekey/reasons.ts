// Condition and Event reasons the ExchangeKey controller uses. They are API: SREs grep for them,
// alerts match them, runbooks (docs/runbooks/) are indexed by them.

export const CONDITION_READY = 'Ready';
export const CONDITION_ROTATING = 'Rotating';
/** True when something failed while a valid key is still current (Ready stays True). */
export const CONDITION_DEGRADED = 'Degraded';

/** Ready=True: the Secret holds a key the exchange accepted at its last validation. */
export const REASON_ISSUED = 'Issued';
/** Ready=False while the first key version is being brought in. */
export const REASON_ISSUING = 'Issuing';
export const REASON_UNKNOWN_EXCHANGE = 'UnknownExchange';
export const REASON_MASTER_CREDENTIALS_NOT_FOUND = 'MasterCredentialsNotFound';
export const REASON_MASTER_CREDENTIALS_INVALID = 'MasterCredentialsInvalid';
/** The exchange refused a request for a reason that retrying will not fix. */
export const REASON_EXCHANGE_REFUSED = 'ExchangeRefused';
/** The exchange could not be reached, throttled us, or failed; retried with backoff. */
export const REASON_EXCHANGE_UNAVAILABLE = 'ExchangeUnavailable';
/** The new key failed its signed validation call; it was revoked. */
export const REASON_VALIDATION_FAILED = 'ValidationFailed';
/** A Secret with the target name exists and is not owned by this ExchangeKey. */
export const REASON_SECRET_CONFLICT = 'SecretConflict';
export const REASON_ENCRYPTION_FAILED = 'EncryptionFailed';
/** The Secret or envelope could not be read back (tampered, wrong key). */
export const REASON_SECRET_UNREADABLE = 'SecretUnreadable';
/** The published Secret was changed by someone else and its envelopes no longer open. */
export const REASON_SECRET_TAMPERED = 'SecretTampered';
export const REASON_REVOKE_BLOCKED = 'RevokeBlocked';
export const REASON_KUBERNETES_ERROR = 'KubernetesError';
/** A key version could not be written to its Vault KV mirror; publication waits for it. */
export const REASON_MIRROR_FAILED = 'MirrorFailed';

/** Why a rotation started (status.rotation.reason and the Rotating condition's reason). */
export const ROTATION_INITIAL = 'Initial';
export const ROTATION_SECRET_LOST = 'SecretLost';
export const ROTATION_SCHEDULED = 'Scheduled';
export const ROTATION_EXPIRING = 'Expiring';
export const ROTATION_MANUAL = 'Manual';
export const ROTATION_EMERGENCY = 'Emergency';
export const ROTATION_SPEC_CHANGED = 'SpecChanged';
export const ROTATION_SECRET_TAMPERED = 'SecretTampered';
/** Re-validation found the key differs from the spec at the exchange (policy action Revoke or Rotate). */
export const ROTATION_DRIFT_DETECTED = 'DriftDetected';
/** The exchange no longer accepts the current key (revoked or expired outside exkey): reissued at once. */
export const ROTATION_KEY_REVOKED_EXTERNALLY = 'KeyRevokedExternally';

/** Ready=False (first key) while a manual venue waits for a human to create or delete a key (status.manual). */
export const REASON_AWAITING_HUMAN = 'AwaitingHuman';

/** Degraded reasons that do not stop the current key from working. */
export const REASON_ROLLOUT_FAILED = 'RolloutFailed';
export const REASON_POLICY_NOT_FOUND = 'PolicyNotFound';
export const REASON_POLICY_INVALID = 'PolicyInvalid';
/** Degraded: re-validation found the key at the exchange differs from the spec (status.drift says how). */
export const REASON_DRIFT_DETECTED = 'DriftDetected';
/** Ready=False: the exchange refused the current key at re-validation; a new one is being issued. */
export const REASON_KEY_REVOKED_EXTERNALLY = ROTATION_KEY_REVOKED_EXTERNALLY;

/** Event reasons. */
export const EVENT_REGISTERED = 'Registered';
export const EVENT_ISSUED = 'Issued';
export const EVENT_REVOKED = 'Revoked';
export const EVENT_ORPHAN_REVOKED = 'OrphanRevoked';
export const EVENT_RETAINED = 'Retained';
export const EVENT_ROTATION_STARTED = 'RotationStarted';
export const EVENT_PUBLISHED = 'Published';
export const EVENT_ROLLING = 'RollingOut';
export const EVENT_ROLLED_OUT = 'RolledOut';
export const EVENT_ROLLOUT_FAILED = 'RolloutFailed';
export const EVENT_OLD_KEY_REVOKED = 'OldKeyRevoked';
export const EVENT_ROTATED = 'Rotated';
/** Warning: re-validation found drift; the message names what changed and the action taken. */
export const EVENT_DRIFT_DETECTED = 'DriftDetected';
/** Normal: a manual venue needs a human (once per request; the message says what to do). */
export const EVENT_AWAITING_HUMAN = 'AwaitingHuman';
/** Normal: exkey took a new key from a manual venue's handoff Secret (masked id only). */
export const EVENT_KEY_RECEIVED = 'KeyReceived';
/** A drift reported earlier is gone at the exchange (action Report). */
export const EVENT_DRIFT_RESOLVED = 'DriftResolved';
