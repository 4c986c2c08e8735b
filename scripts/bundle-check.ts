// Part of `npm test`: the workflow bundle must build (no Node built-ins or I/O libraries reachable from workflows/).
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../workers/temporal-data-converter';
import { quietBundleLogger } from './bundle-logger';

const started = Date.now();
const { code } = await bundleWorkflowCode({
  workflowsPath: path.resolve(import.meta.dirname, '../workflows/index.ts'),
  // As the worker bundles it: workflow failures go out through the encrypting failure converter.
  failureConverterPath: FAILURE_CONVERTER_PATH,
  logger: quietBundleLogger,
});
// Bench-only workflows stay out of production (scripts/bench/workflows.ts bundles them for the bench).
if (code.includes('benchBaselineWorkflow')) throw new Error('the production workflow bundle contains a bench workflow');
console.log(`workflow bundle ok: ${(code.length / 1024 / 1024).toFixed(2)} MB in ${Date.now() - started} ms`);
