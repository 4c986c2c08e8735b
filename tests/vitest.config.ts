import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { unitTests } from './unit-tests';

export default defineConfig({
  root: path.resolve(import.meta.dirname, '..'),
  test: {
    include: ['tests/**/*.test.ts'],
    // The pure tests run apart (npm run test:unit), before this suite provisions any server.
    exclude: ['**/node_modules/**', ...unitTests],
    // The Temporal worker's native runtime does not belong in worker threads.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    globalSetup: ['tests/setup/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './tests/setup/summary-reporter.ts'],
  },
});
