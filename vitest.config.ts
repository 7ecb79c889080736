// Test runner settings: every suite runs in Node, network tests stay on loopback.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Suites start real HTTP servers and databases; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
