import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds main, preload and renderer into out/ once, for the end-to-end tests.
    globalSetup: ['./test/support/global-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most tests wait on real servers and Chromium: three forks on two cores halve the wall
    // time (1,109 s → 582 s for the whole suite on this machine), with the CPU still shared.
    maxWorkers: 3,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
