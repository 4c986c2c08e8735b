// Part of `npm test`: the workflow bundle must build (no Node built-ins or I/O libraries reachable from workflows/).
import { readdirSync, readFileSync } from 'node:fs';
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
// Bench-only workflows stay out of production (scripts/bench/workflows.ts bundles them for the bench): every
// workflow exported by workflows/bench-*.workflow.ts, read from the files so a new one is checked too.
const workflowsDir = path.resolve(import.meta.dirname, '../workflows');
const benchWorkflows = readdirSync(workflowsDir)
  .filter((f) => /^bench-.*\.workflow\.ts$/.test(f))
  .flatMap((f) =>
    [...readFileSync(path.join(workflowsDir, f), 'utf8').matchAll(/export async function (\w+)/g)].map((m) => m[1]),
  );
if (benchWorkflows.length === 0) throw new Error('no bench workflow found in workflows/bench-*.workflow.ts');
const leaked = benchWorkflows.filter((name) => name && code.includes(name));
if (leaked.length > 0) throw new Error(`the production workflow bundle contains bench workflows: ${leaked.join(', ')}`);
console.log(`workflow bundle ok: ${(code.length / 1024 / 1024).toFixed(2)} MB in ${Date.now() - started} ms`);
