import { defineConfig } from 'vitest/config';

// The kind end-to-end suite (npm run test:e2e:kind): its own config, so `npm test` never runs it.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 1_200_000,
    fileParallelism: false,
  },
});
