// publishFiles: the agent's atomic, kubelet-style publication of a file set.
import { lstat, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFiles } from '../../../src/agent/files.ts';
import { publishFiles } from '../../../src/agent/projection.ts';
import { openExchangeKey } from '../../../src/client/index.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { NAME, NS, tempDir } from '../client/support/fixtures.ts';

let dir: { path: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  dir = await tempDir('exkey-agent-');
});

afterEach(async () => {
  await dir.cleanup();
});

function files(values: Record<string, string>): Map<string, Buffer> {
  return new Map(Object.entries(values).map(([key, value]) => [key, Buffer.from(value)]));
}

async function dataDirs(target: string): Promise<string[]> {
  return (await readdir(target, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name.startsWith('..')).map((e) => e.name);
}

describe('publishFiles', () => {
  it('should write every file with mode 0400 into a timestamped directory behind ..data, with one link per file', async () => {
    await publishFiles(dir.path, files({ apiKey: 'XK1', apiSecret: 'S1', version: '1' }), { clock: new FakeClock('2026-01-05T12:00:00Z') });
    const live = await readlink(join(dir.path, '..data'));
    expect(live).toMatch(/^\.\.2026_01_05_12_00_00\./);
    for (const name of ['apiKey', 'apiSecret', 'version']) {
      expect(await readlink(join(dir.path, name))).toBe(`..data/${name}`);
      expect((await stat(join(dir.path, live, name))).mode & 0o777).toBe(0o400);
    }
    expect((await stat(join(dir.path, live))).mode & 0o777).toBe(0o700);
    expect(await readFile(join(dir.path, 'apiSecret'), 'utf8')).toBe('S1');
  });

  it('should replace the whole set, drop links of files that went away and remove the old directory', async () => {
    const clock = new FakeClock();
    await publishFiles(dir.path, files({ apiKey: 'XK2', version: '2', 'previous.apiKey': 'XK1', 'previous.version': '1' }), { clock });
    await clock.advance(1_000);
    await publishFiles(dir.path, files({ apiKey: 'XK2', version: '2' }), { clock });
    expect((await readdir(dir.path)).sort()).toEqual(['..data', ...(await dataDirs(dir.path)), 'apiKey', 'version'].sort());
    expect(await dataDirs(dir.path)).toHaveLength(1);
    expect(await readFile(join(dir.path, 'apiKey'), 'utf8')).toBe('XK2');
  });

  it('should leave files that are not its links alone', async () => {
    await writeFile(join(dir.path, 'README'), 'mine');
    await publishFiles(dir.path, files({ apiKey: 'XK', version: '1' }), { clock: systemClock });
    await publishFiles(dir.path, files({ apiKey: 'XK', version: '2' }), { clock: systemClock });
    expect(await readFile(join(dir.path, 'README'), 'utf8')).toBe('mine');
    expect((await lstat(join(dir.path, 'README'))).isSymbolicLink()).toBe(false);
  });

  it('should never show a reader half a key set when it reads through ..data during updates', async () => {
    const state = { writing: true };
    const writer = (async () => {
      for (let v = 1; v <= 60; v++) {
        await publishFiles(dir.path, keyFiles({ version: v, apiKey: `XK${v}`, apiSecret: `S${v}` }, v > 1 ? { version: v - 1, apiKey: `XK${v - 1}` } : undefined), { clock: systemClock });
      }
      state.writing = false;
    })();
    let reads = 0;
    while (state.writing) {
      try {
        const live = join(dir.path, await readlink(join(dir.path, '..data')));
        const [version, apiKey, apiSecret] = await Promise.all(['version', 'apiKey', 'apiSecret'].map((f) => readFile(join(live, f), 'utf8')));
        expect(apiKey).toBe(`XK${version}`);
        expect(apiSecret).toBe(`S${version}`);
        reads++;
      } catch (error) {
        // The directory may be removed after the reader resolved ..data: read again, as the client does.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
  });

  it.each(['', '..data', '../escape', 'a/b'])('should refuse the file name %j', async (name) => {
    await expect(publishFiles(dir.path, files({ [name]: 'x' }), { clock: systemClock })).rejects.toThrow(/cannot publish/);
  });

  it('should produce a layout the client library reads as a plain Secret', async () => {
    await publishFiles(dir.path, keyFiles({ version: 3, apiKey: 'XK3', apiSecret: 'S3', passphrase: 'P3' }, { version: 2, apiKey: 'XK2', apiSecret: 'S2' }), { clock: systemClock });
    const handle = await openExchangeKey({ dir: dir.path, namespace: NS, secretName: NAME, unwrappers: [] });
    try {
      expect(handle.get()).toEqual({ version: 3, apiKey: 'XK3', apiSecret: 'S3', passphrase: 'P3' });
      expect(handle.previous()).toEqual({ version: 2, apiKey: 'XK2', apiSecret: 'S2' });
    } finally {
      await handle.close();
    }
  });
});
