// Reading a mounted Secret as one consistent set of files, and noticing when it changes.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readVolume, slotFingerprint } from '../../../src/client/volume.ts';
import { watchDirectory } from '../../../src/client/watch.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { createSecretVolume, secretData } from '../../support/secret-volume.ts';
import { tempDir } from './support/fixtures.ts';

let dir: { path: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await dir.cleanup();
});

function text(files: ReadonlyMap<string, Buffer>): Record<string, string> {
  return Object.fromEntries([...files].map(([key, value]) => [key, value.toString('utf8')]));
}

describe('readVolume', () => {
  it('should read the key files through ..data and skip anything else when the kubelet layout is used', async () => {
    const volume = await createSecretVolume(join(dir.path, 'm'), secretData({ version: '2', envelope: '{}', 'previous.version': '1', 'previous.envelope': '{}', other: 'x' }));
    const snapshot = await readVolume(volume.dir);
    expect(text(snapshot.files)).toEqual({ version: '2', envelope: '{}', 'previous.version': '1', 'previous.envelope': '{}' });
  });

  it('should read a plain directory when there is no ..data link', async () => {
    await writeFile(join(dir.path, 'version'), '1');
    await writeFile(join(dir.path, 'apiKey'), 'XK');
    expect(text((await readVolume(dir.path)).files)).toEqual({ version: '1', apiKey: 'XK' });
  });

  it('should return no files when the directory does not exist', async () => {
    expect((await readVolume(join(dir.path, 'absent'))).files.size).toBe(0);
  });

  it('should never mix two versions when the kubelet swaps while a reader reads', async () => {
    const volume = await createSecretVolume(join(dir.path, 'm'), secretData({ version: '0', apiKey: 'K0', apiSecret: 'S0' }));
    const state = { writing: true };
    const writer = (async () => {
      for (let v = 1; v <= 60; v++) await volume.update(secretData({ version: String(v), apiKey: `K${v}`, apiSecret: `S${v}` }));
      state.writing = false;
    })();
    let reads = 0;
    while (state.writing) {
      const files = text((await readVolume(volume.dir)).files);
      expect(files.apiKey).toBe(`K${files.version}`);
      expect(files.apiSecret).toBe(`S${files.version}`);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
  });
});

describe('slotFingerprint', () => {
  it('should give the outgoing slot the same print as the same files had as the current slot', async () => {
    const current = await createSecretVolume(join(dir.path, 'a'), secretData({ version: '1', envelope: 'E1' }));
    const later = await createSecretVolume(join(dir.path, 'b'), secretData({ version: '2', envelope: 'E2', 'previous.version': '1', 'previous.envelope': 'E1' }));
    expect(slotFingerprint(await readVolume(later.dir), 'previous.')).toBe(slotFingerprint(await readVolume(current.dir), ''));
    expect(slotFingerprint(await readVolume(current.dir), 'previous.')).toBeUndefined();
  });
});

describe('watchDirectory', () => {
  it('should signal on each poll when file-system events are off', async () => {
    const clock = new FakeClock();
    let signals = 0;
    const watch = watchDirectory(dir.path, () => { signals++; }, { clock, pollIntervalMs: 1_000, persistent: false, fsEvents: false });
    await clock.advance(3_500);
    expect(signals).toBe(3);
    watch.close();
    await clock.advance(5_000);
    expect(signals).toBe(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('should signal promptly on a change in the directory without waiting for the poll', async () => {
    const clock = new FakeClock();
    let signals = 0;
    const watch = watchDirectory(dir.path, () => { signals++; }, { clock, pollIntervalMs: 60_000, persistent: false });
    await writeFile(join(dir.path, 'version'), '1');
    await expect.poll(() => signals).toBeGreaterThan(0);
    watch.close();
  });

  it('should re-arm the file-system watch on the next poll when the directory was replaced', async () => {
    const clock = new FakeClock();
    const target = join(dir.path, 'w');
    await mkdir(target);
    let signals = 0;
    const watch = watchDirectory(target, () => { signals++; }, { clock, pollIntervalMs: 1_000, persistent: false });
    await rm(target, { recursive: true });
    await mkdir(target);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await clock.advance(1_000);
    const afterPoll = signals;
    await writeFile(join(target, 'version'), '1');
    await expect.poll(() => signals).toBeGreaterThan(afterPoll);
    watch.close();
  });
});
