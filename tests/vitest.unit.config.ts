import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { unitTests } from './unit-tests';

// Tests that need no server: no PostgreSQL, no Temporal, no global setup. A pure change gets its answer in seconds.
export default defineConfig({
  root: path.resolve(import.meta.dirname, '..'),
  test: {
    include: unitTests,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    reporters: ['default', './tests/setup/summary-reporter.ts'],
  },
});
