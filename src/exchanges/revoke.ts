// Idempotent revocation for venues that do not say what deleting an unknown key returns: a
// refusal of the request itself ('invalid-request') may mean "no such key", so the venue's own
// list decides. Auth, permission and transient failures are never read as "already gone".

import { ExchangeError } from './types.ts';

/**
 * Runs `remove`; when the venue answers with one of its own invalid-request codes, asks
 * `stillListed` and succeeds when the key is gone, rethrowing the refusal when it is still there.
 * exkey-side refusals (code 'invalid-request', nothing was sent) are rethrown as they are.
 */
export async function revokeIdempotently(remove: () => Promise<unknown>, stillListed: () => Promise<boolean>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    if (!(err instanceof ExchangeError) || err.kind !== 'invalid-request' || err.code === 'invalid-request') throw err;
    if (await stillListed()) throw err;
  }
}
