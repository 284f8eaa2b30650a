// exkey.io/v1alpha1 resources. Spec and status types are generated from the CRDs (generated.ts);
// this module only adds the object envelope and the names that are fixed by the design.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type {
  ExchangeKeySpec,
  ExchangeKeyStatus,
  RotationPolicySpec,
  RotationPolicyStatus,
} from './generated.ts';

export type * from './generated.ts';

export const GROUP = 'exkey.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Metadata as the API server returns it: name, namespace and uid are always present. */
export type ObjectMeta = V1ObjectMeta & { name: string; namespace: string; uid: string };

/** An ExchangeKey as read from the API server. */
export interface ExchangeKey {
  apiVersion: typeof API_VERSION;
  kind: 'ExchangeKey';
  metadata: ObjectMeta;
  spec: ExchangeKeySpec;
  status?: ExchangeKeyStatus;
}

/** A RotationPolicy as read from the API server. */
export interface RotationPolicy {
  apiVersion: typeof API_VERSION;
  kind: 'RotationPolicy';
  metadata: ObjectMeta;
  spec: RotationPolicySpec;
  status?: RotationPolicyStatus;
}

export type Condition = NonNullable<ExchangeKeyStatus['conditions']>[number];
export type KeyVersionStatus = NonNullable<ExchangeKeyStatus['keys']>[number];
export type RotationStatus = NonNullable<ExchangeKeyStatus['rotation']>;
export type RotationPhase = RotationStatus['phase'];
/** status.manual: what a human must do at a manual venue. */
export type ManualStatus = NonNullable<ExchangeKeyStatus['manual']>;

/** Resource coordinates used to build REST paths. */
export const EXCHANGE_KEYS = { group: GROUP, version: VERSION, plural: 'exchangekeys', kind: 'ExchangeKey' } as const;
export const ROTATION_POLICIES = { group: GROUP, version: VERSION, plural: 'rotationpolicies', kind: 'RotationPolicy' } as const;

/** Finalizer that keeps an ExchangeKey until its keys are revoked at the exchange (or retained). */
export const FINALIZER = 'exkey.io/revoke-keys';

/** Annotations for one-off actions (acted on once per token; see DESIGN.md). */
export const ANNOTATION_ROTATE = 'exkey.io/rotate';
export const ANNOTATION_REVOKE = 'exkey.io/revoke';
/**
 * Manual venues with no read-only call (spec.manual.venue none): a human confirms that keys were
 * deleted at the venue by listing their masked ids, comma-separated, as this annotation's value.
 */
export const ANNOTATION_DELETED_KEY = 'exkey.io/deleted-key';

/** Labels exkey puts on the Secrets it owns. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'exkey';
export const LABEL_EXCHANGE_KEY = 'exkey.io/exchange-key';
/** Marks internal Secrets that hold a key version between registration and publication. */
export const LABEL_PENDING_KEY = 'exkey.io/pending-key';
export const ANNOTATION_KEY_VERSION = 'exkey.io/key-version';
/** Annotations on the Secrets exkey writes (metadata only, never secret). */
export const ANNOTATION_ENCRYPTION = 'exkey.io/encryption';
export const ANNOTATION_EXCHANGE = 'exkey.io/exchange';
export const ANNOTATION_MASKED_KEY_ID = 'exkey.io/key-id';
export const ANNOTATION_CREATED_AT = 'exkey.io/created-at';
export const ANNOTATION_EXPIRES_AT = 'exkey.io/expires-at';
