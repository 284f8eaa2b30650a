// One simulator per test file: started before the file's tests, reset before each test, stopped
// after them. Returns a getter, since the simulator exists only once beforeAll has run.
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** What the fixture needs of a simulator. */
export interface ResettableSimulator {
  state: { reset(): void };
  stop(): Promise<void>;
}

/** Registers the hooks and returns the running simulator's getter. */
export function runningSimulator<S extends ResettableSimulator>(start: () => Promise<S>): () => S {
  let sim: S | undefined;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(() => {
    sim?.state.reset();
  });
  return () => {
    if (!sim) throw new Error('the simulator is not running yet');
    return sim;
  };
}
