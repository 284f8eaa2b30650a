// Awaiting an adapter call that must fail, for tests that assert on the ExchangeError it throws.
import { ExchangeError } from '../../src/exchanges/types.ts';

/** The ExchangeError `promise` rejects with; throws if it resolves or rejects with anything else. */
export async function caught(promise: Promise<unknown>): Promise<ExchangeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ExchangeError) return err;
    throw err;
  }
  throw new Error('expected an ExchangeError');
}
