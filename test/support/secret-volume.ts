// A kubelet-like Secret volume for tests. The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go)
// writes each version of a Secret into a fresh timestamped directory, points `..data` at it with a
// symlink created beside it and renamed over the old one (an atomic swap), keeps one per-key
// symlink `<key> -> ..data/<key>`, drops the symlinks of keys that went away, then deletes the old
// directory. This module does the same steps in the same order, and can mirror a live Secret.
import { Watch, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

const DATA_LINK = '..data';
const DATA_TMP_LINK = '..data_tmp';

/** A projected Secret volume at `dir`. */
export interface SecretVolume {
  readonly dir: string;
  /** Projects `data` (a Secret's base64 `data` map) as the kubelet would: a new directory and an atomic swap. */
  update(data: Readonly<Record<string, string>>): Promise<void>;
  /** Number of updates that changed something (an update with the same data is skipped, like the kubelet does). */
  readonly updates: number;
}

function stamp(): string {
  // Go's "..2006_01_02_15_04_05." layout, then MkdirTemp's random suffix.
  const iso = new Date().toISOString();
  return `..${iso.slice(0, 19).replace(/[-T:]/g, '_')}.`;
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function currentData(dir: string): Promise<string | undefined> {
  try {
    return await readlink(join(dir, DATA_LINK));
  } catch {
    return undefined;
  }
}

function fingerprint(data: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)));
}

/** Creates (or takes over) a Secret volume at `dir`; `initial` projects a first version. `mode` is the volume's defaultMode. */
export async function createSecretVolume(
  dir: string,
  initial?: Readonly<Record<string, string>>,
  options: { mode?: number } = {},
): Promise<SecretVolume> {
  await mkdir(dir, { recursive: true });
  const mode = options.mode ?? 0o644;
  let last: string | undefined;
  let updates = 0;
  let chain: Promise<void> = Promise.resolve();

  const write = async (data: Readonly<Record<string, string>>): Promise<void> => {
    const print = fingerprint(data);
    if (print === last) return;
    const old = await currentData(dir);
    const tsDir = await mkdtemp(join(dir, stamp()));
    for (const [key, value] of Object.entries(data)) {
      await writeFile(join(tsDir, key), Buffer.from(value, 'base64'), { mode });
    }
    const tmp = join(dir, DATA_TMP_LINK);
    await rm(tmp, { force: true });
    await symlink(basename(tsDir), tmp);
    await rename(tmp, join(dir, DATA_LINK));
    for (const key of Object.keys(data)) {
      if (!(await isSymlink(join(dir, key)))) await symlink(join(DATA_LINK, key), join(dir, key));
    }
    for (const entry of await readdir(dir)) {
      if (!entry.startsWith('.') && !(entry in data)) await rm(join(dir, entry), { force: true });
    }
    if (old !== undefined) await rm(join(dir, old), { recursive: true, force: true });
    last = print;
    updates++;
  };

  const volume: SecretVolume = {
    dir,
    update(data) {
      // One write at a time; a failed write does not block the next one.
      chain = chain.catch(() => undefined).then(() => write(data));
      return chain;
    },
    get updates() {
      return updates;
    },
  };
  if (initial) await volume.update(initial);
  return volume;
}

/** Base64 Secret data from plain strings (what `stringData` would become). */
export function secretData(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]));
}

/** A running mirror of one Secret into a volume; stop() ends the watch. */
export interface SecretMirror {
  readonly volume: SecretVolume;
  stop(): Promise<void>;
}

/**
 * Mirrors the live Secret `namespace/name` into `volume` through a watch, as the kubelet's
 * watch-based Secret manager does (minus its sync-period delay), re-watching when the watch ends.
 * Resolves once the Secret (which must exist) has been projected.
 */
export async function mirrorSecret(kc: KubeConfig, namespace: string, name: string, volume: SecretVolume): Promise<SecretMirror> {
  const watch = new Watch(kc);
  let stopped = false;
  let request: { abort(): void } | undefined;
  let synced: () => void = () => undefined;
  let lastData: Readonly<Record<string, string>> = {};
  const firstSync = new Promise<void>((resolve) => { synced = resolve; });
  const start = async (): Promise<void> => {
    if (stopped) return;
    request = await watch.watch(
      `/api/v1/namespaces/${namespace}/secrets`,
      { fieldSelector: `metadata.name=${name}` },
      (phase: string, secret: V1Secret) => {
        if (phase === 'ADDED' || phase === 'MODIFIED') {
          lastData = secret.data ?? {};
          void volume.update(lastData).then(() => { synced(); });
        }
      },
      () => { setTimeout(() => { void start(); }, 200); },
    );
  };
  await start();
  await firstSync;
  return {
    volume,
    async stop() {
      stopped = true;
      request?.abort();
      // Let an update already under way finish, so the test's temp dir can be removed after this.
      await volume.update(lastData).catch(() => undefined);
    },
  };
}
