// Publishes a set of files atomically, the way the kubelet publishes a Secret volume: every file is
// written into a fresh directory first, then a `..data` symlink is swapped to it with one rename,
// so a reader that goes through `..data` (or opens one per-key symlink) never sees half a key or
// a mix of two versions. Per-key symlinks `<name> -> ..data/<name>` keep plain paths working.
import { lstat, mkdtemp, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Clock } from '../runtime/clock.ts';

/** The symlink swapped on each publication; readers resolve it once to read a consistent set. */
export const DATA_LINK = '..data';
const DATA_TMP_LINK = '..data_tmp';
/** Files are readable by their owner only: the app container must run as the agent's user. */
export const FILE_MODE = 0o400;

/** Options of publishFiles. */
export interface PublishOptions {
  clock: Clock;
  /** Mode of every file; FILE_MODE by default. */
  fileMode?: number;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function checkName(name: string): void {
  if (name === '' || name.startsWith('.') || name.includes('/') || name.includes('\0')) {
    throw new Error(`cannot publish a file named ${JSON.stringify(name)}: names must be plain and not start with "."`);
  }
}

async function linkTarget(path: string): Promise<string | undefined> {
  try {
    return (await lstat(path)).isSymbolicLink() ? await readlink(path) : undefined;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

// `name -> target` via a temporary link renamed over `name`, so the path never goes missing.
async function replaceLink(dir: string, name: string, target: string): Promise<void> {
  const tmp = join(dir, `..${name}_tmp`);
  await rm(tmp, { force: true });
  await symlink(target, tmp);
  await rename(tmp, join(dir, name));
}

function stampOf(clock: Clock): string {
  // The kubelet's layout, `..2006_01_02_15_04_05.`, then mkdtemp's random suffix.
  return `..${clock.now().toISOString().slice(0, 19).replace(/[-T:]/g, '_')}.`;
}

async function writeDataDir(target: string, files: ReadonlyMap<string, Buffer>, options: PublishOptions): Promise<string> {
  const dataDir = await mkdtemp(join(target, stampOf(options.clock)));
  try {
    for (const [name, content] of files) {
      // 'wx': a fresh directory holds nothing; anything there would mean another writer.
      await writeFile(join(dataDir, name), content, { mode: options.fileMode ?? FILE_MODE, flag: 'wx' });
    }
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return basename(dataDir);
}

// Per-key links for the new set; links into ..data for names that went away are removed.
async function syncUserLinks(target: string, names: ReadonlySet<string>): Promise<void> {
  for (const name of names) {
    const wanted = join(DATA_LINK, name);
    if ((await linkTarget(join(target, name))) !== wanted) await replaceLink(target, name, wanted);
  }
  for (const entry of await readdir(target)) {
    if (entry.startsWith('.') || names.has(entry)) continue;
    if ((await linkTarget(join(target, entry)))?.startsWith(`${DATA_LINK}/`)) await rm(join(target, entry), { force: true });
  }
}

// Old data directories (ours or left by a crash), never the live one.
async function removeStale(target: string, live: string): Promise<void> {
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith('..') && entry.name !== live) {
      await rm(join(target, entry.name), { recursive: true, force: true });
    }
  }
}

/**
 * Makes `target` hold exactly `files`, atomically: new directory, `..data` swap, per-key links,
 * then the old directory removed. One call at a time per target (the caller serializes).
 */
export async function publishFiles(target: string, files: ReadonlyMap<string, Buffer>, options: PublishOptions): Promise<void> {
  for (const name of files.keys()) checkName(name);
  const live = await writeDataDir(target, files, options);
  const tmp = join(target, DATA_TMP_LINK);
  await rm(tmp, { force: true });
  await symlink(live, tmp);
  await rename(tmp, join(target, DATA_LINK));
  await syncUserLinks(target, new Set(files.keys()));
  await removeStale(target, live);
}
