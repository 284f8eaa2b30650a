// The agent's output layout: the plain files of an `encryption: none` Secret (docs/secret-format.md),
// so an app reads the same paths whether the Secret is encrypted (through the agent) or not.
import type { ExchangeKeyCredentials } from '../client/index.ts';

/** Prefix of the outgoing version's files during a rotation's overlap. */
export const PREVIOUS_PREFIX = 'previous.';

const OPTIONAL_FIELDS = ['apiSecret', 'passphrase', 'privateKey'] as const;

function add(files: Map<string, Buffer>, prefix: string, credentials: ExchangeKeyCredentials): void {
  files.set(`${prefix}version`, Buffer.from(String(credentials.version)));
  files.set(`${prefix}apiKey`, Buffer.from(credentials.apiKey, 'utf8'));
  for (const field of OPTIONAL_FIELDS) {
    const value = credentials[field];
    if (value !== undefined) files.set(`${prefix}${field}`, Buffer.from(value, 'utf8'));
  }
}

/** The files for the current version and, during an overlap, the outgoing one under previous.*. */
export function keyFiles(current: ExchangeKeyCredentials, previous: ExchangeKeyCredentials | undefined): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  add(files, '', current);
  if (previous !== undefined) add(files, PREVIOUS_PREFIX, previous);
  return files;
}

/** Zeroes the buffers of a file set once written (the strings they came from cannot be wiped). */
export function wipe(files: ReadonlyMap<string, Buffer>): void {
  for (const content of files.values()) content.fill(0);
}
