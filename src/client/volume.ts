// Reads a mounted Secret as one consistent snapshot. The kubelet publishes a Secret volume as a
// timestamped directory behind a `..data` symlink and swaps the symlink atomically on update, so
// the files are read from the directory `..data` resolves to at one instant, never through the
// per-key symlinks (which would mix two versions if a swap lands between two reads).
import { createHash } from 'node:crypto';
import { access, readFile, readlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KeyVolumeError } from './errors.ts';

/** The Secret data keys a consumer reads, for the current version. */
export const KEY_FILES = ['version', 'envelope', 'apiKey', 'apiSecret', 'passphrase', 'privateKey'] as const;
/** Prefix of the outgoing version's files during a rotation (docs/secret-format.md). */
export const PREVIOUS_PREFIX = 'previous.';
/** The symlink the kubelet (and exkey's agent) swap to publish a new set of files. */
export const DATA_LINK = '..data';

/** Every file of one read, by Secret data key (previous.* included), plus where it was read from. */
export interface VolumeSnapshot {
  readonly dir: string;
  readonly files: ReadonlyMap<string, Buffer>;
}

/** One version's files within a snapshot: '' for the current version, PREVIOUS_PREFIX for the outgoing one. */
export type VersionSlot = '' | typeof PREVIOUS_PREFIX;

const READ_ATTEMPTS = 5;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

// Where the files are: the target of `..data`, or `dir` itself for a plain directory.
async function dataDir(dir: string): Promise<string> {
  try {
    return resolve(dir, await readlink(resolve(dir, DATA_LINK)));
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'EINVAL') return dir;
    throw error;
  }
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function readOnce(dir: string): Promise<Map<string, Buffer> | undefined> {
  const base = await dataDir(dir);
  const files = new Map<string, Buffer>();
  for (const slot of ['', PREVIOUS_PREFIX]) {
    for (const key of KEY_FILES) {
      const content = await readOptional(resolve(base, slot + key));
      if (content !== undefined) files.set(slot + key, content);
    }
  }
  // A published directory never changes, so what was read from it is consistent even if `..data`
  // has moved on since. Only if the kubelet removed it under us may some files have looked absent.
  return base === dir || (await exists(base)) ? files : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** Reads every key file of the mounted Secret at `dir` from one published set; throws KeyVolumeError. */
export async function readVolume(dir: string): Promise<VolumeSnapshot> {
  for (let attempt = 1; ; attempt++) {
    let files: Map<string, Buffer> | undefined;
    try {
      files = await readOnce(dir);
    } catch (error) {
      throw new KeyVolumeError('unreadable', `cannot read the mounted Secret in ${dir}: ${errorCode(error) ?? 'I/O error'}`, { cause: error });
    }
    if (files !== undefined) return { dir, files };
    if (attempt >= READ_ATTEMPTS) {
      throw new KeyVolumeError('unreadable', `the mounted Secret in ${dir} changed during ${READ_ATTEMPTS} reads in a row`);
    }
  }
}

/** A digest of one slot's files (names without the slot prefix), to tell whether they changed; undefined when absent. */
export function slotFingerprint(snapshot: VolumeSnapshot, slot: VersionSlot): string | undefined {
  const hash = createHash('sha256');
  let present = false;
  for (const key of KEY_FILES) {
    const content = snapshot.files.get(slot + key);
    if (content === undefined) continue;
    present = true;
    hash.update(`${key}\0${content.length}\0`).update(content);
  }
  return present ? hash.digest('base64') : undefined;
}
