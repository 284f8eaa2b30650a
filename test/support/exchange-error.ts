import { ExchangeError } from '../../src/exchanges/types.ts';

/** The ExchangeError a promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function caught(promise: Promise<unknown>): Promise<ExchangeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ExchangeError) return err;
    throw err;
  }
  throw new Error('expected an ExchangeError');
}
