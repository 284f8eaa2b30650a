// The binding every envelope carries: which Kubernetes Secret (namespace/name) and which key
// version it was sealed for. Providers receive the same value (KMS EncryptionContext, Vault context).

import { EnvelopeError } from './errors.ts';

/** The object an envelope belongs to. Plain data: the crypto layer knows nothing of Kubernetes. */
export interface EnvelopeContext {
  /** Namespace of the Secret: an RFC 1123 label (1-63 chars of a-z, 0-9, '-'). */
  readonly namespace: string;
  /** Name of the Secret: an RFC 1123 subdomain (1-253 chars of a-z, 0-9, '-', '.'). */
  readonly name: string;
  /** Key version (ExchangeKey status.currentVersion): an integer in 1..2^32-1. */
  readonly version: number;
}

/** Largest key version; the AAD encodes it as an unsigned 32-bit integer. */
export const MAX_KEY_VERSION = 0xffff_ffff;

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Returns why `value` is not a valid context, or undefined. Kubernetes naming rules are enforced
 * even though the AAD is length-prefixed: they keep every field ASCII, so no two strings can share
 * a UTF-8 encoding and implementations in other languages cannot disagree on the bytes.
 */
export function contextProblem(value: EnvelopeContext): string | undefined {
  if (typeof value.namespace !== 'string' || value.namespace.length > 63 || !LABEL.test(value.namespace)) {
    return 'namespace must be an RFC 1123 label (1-63 chars of a-z, 0-9, -)';
  }
  if (typeof value.name !== 'string' || value.name.length > 253 || !SUBDOMAIN.test(value.name)) {
    return 'name must be an RFC 1123 subdomain (1-253 chars of a-z, 0-9, -, .)';
  }
  if (!Number.isInteger(value.version) || value.version < 1 || value.version > MAX_KEY_VERSION) {
    return `version must be an integer in 1..${MAX_KEY_VERSION}`;
  }
  return undefined;
}

/** Throws EnvelopeError('malformed') unless `value` is a valid context; `role` names it in the message. */
export function assertContext(value: EnvelopeContext, role: string): void {
  const problem = contextProblem(value);
  if (problem !== undefined) {
    throw new EnvelopeError('malformed', `${role} is invalid: ${problem}`);
  }
}

/** True when both contexts name the same Secret and version. */
export function sameContext(a: EnvelopeContext, b: EnvelopeContext): boolean {
  return a.namespace === b.namespace && a.name === b.name && a.version === b.version;
}

/** "ns/name v3": how contexts appear in messages (names and versions are not secret). */
export function describeContext(context: EnvelopeContext): string {
  return `${context.namespace}/${context.name} v${context.version}`;
}
