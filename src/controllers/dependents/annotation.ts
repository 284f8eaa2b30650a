// The pod-template annotation that rolls a dependent workload: one per ExchangeKey, so a workload
// that uses several keys carries one annotation for each, and rolling one never touches another's.
import { createHash } from 'node:crypto';

/** Prefix of every key-version annotation; the ExchangeKey name (or its short form) follows. */
export const KEY_VERSION_ANNOTATION_PREFIX = 'key-version.exkey.io/';

/** Longest name part of a qualified annotation key. */
const maxNamePart = 63;
/** Characters kept from a long name: 54 + '-' + 8 hex digits = 63. */
const keptPrefix = 54;

/**
 * The pod-template annotation key that carries the key version of ExchangeKey `exchangeKeyName`:
 * `key-version.exkey.io/<name>`. Names longer than 63 characters (ExchangeKey names may have 253)
 * become their first 54 characters, '-', and 8 hex digits of sha256(name), so the key stays a
 * valid qualified name and two long names that share a prefix still differ.
 */
export function keyVersionAnnotation(exchangeKeyName: string): string {
  if (exchangeKeyName.length === 0) throw new Error('an ExchangeKey name is required for the key-version annotation');
  if (exchangeKeyName.length <= maxNamePart) return KEY_VERSION_ANNOTATION_PREFIX + exchangeKeyName;
  const digest = createHash('sha256').update(exchangeKeyName).digest('hex').slice(0, 8);
  return `${KEY_VERSION_ANNOTATION_PREFIX}${exchangeKeyName.slice(0, keptPrefix)}-${digest}`;
}
