// kubectl exkey against the real control plane and a running operator: status, rotate, history,
// inspect secret (no key material in any output) and revoke with its confirmation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKubectlPlugin, type PluginIo } from '../../src/kubectl/command.ts';
import { secretsOf, startHarness, type Harness } from '../support/harness.ts';
import { waitFor } from '../support/kube.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.createPolicy('quick', { interval: '30d', overlap: '1s' });
});

afterAll(async () => {
  await h.stop();
});

interface Run { code: number; out: string; err: string; asked: string[] }

async function plugin(args: string[], answer?: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const io: PluginIo = {
    out: (t) => { out.push(t); },
    err: (t) => { err.push(t); },
    ...(answer === undefined ? {} : { ask: (q: string) => { asked.push(q); return Promise.resolve(answer); } }),
    now: () => new Date(),
  };
  const code = await runKubectlPlugin([...args, '-n', h.namespace], { io, kube: h.kube });
  return { code, out: out.join('\n'), err: err.join('\n'), asked };
}

describe('kubectl exkey', () => {
  it('should show status, rotate, show history and inspect the Secret without printing key material', async () => {
    await h.createKey('mm', { rotationPolicyRef: { name: 'quick' } });
    await h.createKey('broken', { masterCredentialsRef: { name: 'no-such-secret' } });
    await h.waitForCondition('mm', { type: 'Ready', status: 'True' });
    await h.waitForCondition('broken', { type: 'Ready', status: 'False', reason: 'MasterCredentialsNotFound' });

    // While exkey retries, the broken key's Ready reason passes through Issuing before each
    // failure is recorded again: poll until the table shows the failure.
    const status = await waitFor(async () => {
      const run = await plugin(['status']);
      return run.out.includes('MasterCredentialsNotFound') ? run : undefined;
    }, { description: 'status shows the broken key\'s failure', timeoutMs: 30_000 });
    expect(status.code).toBe(0);
    const lines = status.out.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+EXCHANGE\s+READY\s+VERSION\s+PHASE\s+NEXT-ROTATION\s+PROBLEM$/);
    expect(lines[1]).toMatch(/^broken\s+bybit\s+False\s+-\s+Registering v1\s+-\s+MasterCredentialsNotFound: master credentials Secret "no-such-secret" not found/); // problems first
    expect(lines[2]).toMatch(/^mm\s+bybit\s+True\s+1\s+-\s+in 29d/);

    const v1 = await h.readMaterial('mm');
    const rotate = await plugin(['rotate', 'mm']);
    expect(rotate).toMatchObject({ code: 0 });
    expect((await h.getKey('mm'))?.metadata.annotations?.['exkey.io/rotate']).toMatch(/^\d+$/);
    await h.waitForVersion('mm', 2);
    const v2 = await h.readMaterial('mm');

    const history = await plugin(['history', 'mm']);
    expect(history.out.split('\n').slice(1).map((l) => l.split(/\s{3,}/).slice(0, 3))).toEqual([
      ['2', expect.stringMatching(/…/), 'Active (current)'],
      ['1', expect.stringMatching(/…/), 'Revoked'],
    ]);

    const inspect = await plugin(['inspect', 'secret', 'mm']);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.out)).toMatchObject({ name: 'mm', owner: 'mm', envelopes: { envelope: { provider: 'local', version: 2 } } });
    const everything = [status.out, rotate.out, history.out, inspect.out].join('\n');
    for (const secret of [v1.apiKey, v2.apiKey, ...secretsOf(v1), ...secretsOf(v2)]) expect(everything).not.toContain(secret);
  });

  it('should revoke only once the key name is typed back, and never without a terminal or --yes', async () => {
    await h.createKey('rv');
    await h.waitForCondition('rv', { type: 'Ready', status: 'True' });
    const noTerminal = await plugin(['revoke', 'rv']);
    expect(noTerminal).toMatchObject({ code: 1, err: expect.stringContaining('pass --yes') });
    const wrong = await plugin(['revoke', 'rv'], 'mm');
    expect(wrong).toMatchObject({ code: 1, err: expect.stringContaining('not confirmed') });
    expect(wrong.asked[0]).toContain('revokes the current key');
    expect((await h.getKey('rv'))?.metadata.annotations?.['exkey.io/revoke']).toBeUndefined();

    expect(await plugin(['revoke', 'rv'], 'rv')).toMatchObject({ code: 0 });
    expect((await h.getKey('rv'))?.metadata.annotations?.['exkey.io/revoke']).toMatch(/^\d+$/);
    await h.waitForVersion('rv', 2);
  });

  it('should fail clearly for an unknown key or command', async () => {
    expect(await plugin(['history', 'nope'])).toMatchObject({ code: 1, err: expect.stringContaining('exchangekey "nope" not found') });
    expect(await plugin(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
  });
});
