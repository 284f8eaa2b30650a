import { describe, expect, it } from 'vitest';
import { PACING_MARGIN_MS, createPacer } from '../../../src/exchanges/pacer.ts';
import { FakeClock } from '../../support/fake-clock.ts';

describe('createPacer', () => {
  it('should let calls through up to the limit, then hold the next until the window frees a slot', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ clock, limits: { create: 2, list: { limit: 1, windowMs: 2000 } }, windowMs: 1000 });
    const through: string[] = [];
    const call = (name: string, caller = 'master'): Promise<void> => pacer.wait(caller, name).then(() => { through.push(name); });
    await call('create');
    await call('create');
    const third = call('create');
    await clock.advance(1000);
    expect(through).toEqual(['create', 'create']);
    await clock.advance(PACING_MARGIN_MS);
    await third;
    expect(through).toEqual(['create', 'create', 'create']);
  });

  it('should keep buckets apart per caller and endpoint, and never hold endpoints without a limit', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ clock, limits: { create: 1 }, windowMs: 1000 });
    await pacer.wait('a', 'create');
    await pacer.wait('b', 'create'); // another calling key: its own budget
    await pacer.wait('a', 'query'); // not limited
    let held = true;
    void pacer.wait('a', 'create').then(() => { held = false; });
    await clock.advance(500);
    expect(held).toBe(true);
    await clock.advance(500 + PACING_MARGIN_MS);
    await Promise.resolve();
    expect(held).toBe(false);
  });
});
