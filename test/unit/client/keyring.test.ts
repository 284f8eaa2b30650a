// localKeyRingUnwrapper: the local master key ring for consumers, from data or from its Secret.
import type { V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EnvelopeError, localKeyRingUnwrapper } from '../../../src/client/index.ts';
import {
  openEnvelope, providersByName, rotateMasterKeyRing, sealEnvelope, createLocalProvider, serializeMasterKeyRing, type MasterKeyRing,
} from '../../../src/crypto/index.ts';
import type { KubeRequest, KubeTransport } from '../../../src/runtime/kube/client.ts';
import { KubeApiError } from '../../../src/runtime/kube/errors.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { NAME, NS, masterKeyStrings, ring } from './support/fixtures.ts';

const CONTEXT = { namespace: NS, name: NAME, version: 1 };
const PLAINTEXT = Buffer.from('{"version":1,"apiKey":"XK"}');

function ringSecret(keys: MasterKeyRing, annotate = true): V1Secret {
  const { data, currentId } = serializeMasterKeyRing(keys);
  return {
    metadata: { name: 'exkey-local-encryption-key', namespace: 'exkey-system', ...(annotate ? { annotations: { 'exkey.io/current-key-id': currentId } } : {}) },
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value.toString('base64')])),
  };
}

// A transport that answers GET of the ring Secret with whatever `state.answer` is now.
function fakeKube(state: { answer: V1Secret | KubeApiError | Error }): KubeTransport & { requests: KubeRequest[] } {
  const requests: KubeRequest[] = [];
  return {
    requests,
    send<T>(req: KubeRequest): Promise<T> {
      requests.push(req);
      const answer = state.answer;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as T);
    },
  };
}

async function openWith(unwrapper: ReturnType<typeof localKeyRingUnwrapper>, envelope: string): Promise<Buffer> {
  return openEnvelope(envelope, CONTEXT, providersByName([unwrapper]));
}

describe('localKeyRingUnwrapper', () => {
  it('should open envelopes with a ring given as data', async () => {
    const keys = ring();
    const envelope = await sealEnvelope(PLAINTEXT, CONTEXT, createLocalProvider(keys));
    expect(await openWith(localKeyRingUnwrapper({ ring: keys }), envelope)).toEqual(PLAINTEXT);
  });

  it.each([
    { what: 'the current-key annotation is present', annotate: true },
    { what: 'the current-key annotation is missing', annotate: false },
  ])('should read the ring Secret once for many envelopes when $what', async ({ annotate }) => {
    const keys = ring();
    const kube = fakeKube({ answer: ringSecret(keys, annotate) });
    const unwrapper = localKeyRingUnwrapper({ namespace: 'exkey-system', secretName: 'exkey-local-encryption-key', kube, clock: new FakeClock() });
    for (let i = 0; i < 3; i++) {
      expect(await openWith(unwrapper, await sealEnvelope(PLAINTEXT, CONTEXT, createLocalProvider(keys)))).toEqual(PLAINTEXT);
    }
    expect(kube.requests).toEqual([{ method: 'GET', path: '/api/v1/namespaces/exkey-system/secrets/exkey-local-encryption-key' }]);
  });

  it('should read the ring again when an envelope names a master key added since, at most once per interval', async () => {
    const clock = new FakeClock();
    const old = ring();
    const state = { answer: ringSecret(old) as V1Secret | Error };
    const kube = fakeKube(state);
    const unwrapper = localKeyRingUnwrapper({ namespace: 'exkey-system', secretName: 'exkey-local-encryption-key', kube, clock, minReloadIntervalMs: 10_000 });
    await openWith(unwrapper, await sealEnvelope(PLAINTEXT, CONTEXT, createLocalProvider(old)));
    const rotated = rotateMasterKeyRing(old);
    state.answer = ringSecret(rotated);
    const fresh = await sealEnvelope(PLAINTEXT, CONTEXT, createLocalProvider(rotated));

    // Right after a read, an unknown key is not worth another read yet.
    await expect(openWith(unwrapper, fresh)).rejects.toMatchObject({ kind: 'unknown-key' });
    expect(kube.requests).toHaveLength(1);
    await clock.advance(10_000);
    expect(await openWith(unwrapper, fresh)).toEqual(PLAINTEXT);
    expect(kube.requests).toHaveLength(2);
  });

  it.each([
    { what: 'the ring Secret does not exist', answer: new KubeApiError(404, { reason: 'NotFound' }, 'GET'), kind: 'unknown-key', retryable: false, says: 'does not exist' },
    { what: 'RBAC forbids reading it', answer: new KubeApiError(403, { reason: 'Forbidden' }, 'GET'), kind: 'provider-unavailable', retryable: false, says: '"get" on that Secret' },
    { what: 'the API server fails', answer: new KubeApiError(503, { reason: 'ServiceUnavailable' }, 'GET'), kind: 'provider-unavailable', retryable: true, says: 'ServiceUnavailable' },
    { what: 'the network fails', answer: new Error('ECONNRESET'), kind: 'provider-unavailable', retryable: true, says: 'cannot read' },
  ])('should fail with $kind when $what', async ({ answer, kind, retryable, says }) => {
    const keys = ring();
    const unwrapper = localKeyRingUnwrapper({ namespace: 'exkey-system', secretName: 'exkey-local-encryption-key', kube: fakeKube({ answer }), clock: new FakeClock() });
    const error = await openWith(unwrapper, await sealEnvelope(PLAINTEXT, CONTEXT, createLocalProvider(keys))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error).toMatchObject({ kind, retryable });
    expect((error as Error).message).toContain(says);
    expect((error as Error).message).toContain('exkey-system/exkey-local-encryption-key');
  });

  it('should carry no master key in its errors when the ring does not hold the envelope\'s key', async () => {
    const keys = ring();
    const other = ring();
    const unwrapper = localKeyRingUnwrapper({ namespace: 'exkey-system', secretName: 'exkey-local-encryption-key', kube: fakeKube({ answer: ringSecret(keys) }), clock: new FakeClock() });
    const error = (await openWith(unwrapper, await sealEnvelope(PLAINTEXT, CONTEXT, createLocalProvider(other))).catch((e: unknown) => e)) as Error;
    const rendered = `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}`;
    for (const secret of [...masterKeyStrings(keys), ...masterKeyStrings(other)]) expect(rendered).not.toContain(secret);
  });
});
