import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure, fast, no processes) and `integration` (a real local control plane,
// started once per run by test/integration/global-setup.ts, and the exchange simulators).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 600_000,
          // One control plane on a 2-core machine: a couple of files at a time is the sweet spot.
          maxWorkers: 2,
        },
      },
    ],
  },
});
