// Part of `npm test`: the workflow bundle must build (no Node built-ins or I/O libraries reachable from workflows/).
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const started = Date.now();
const { code } = await bundleWorkflowCode({
  workflowsPath: path.resolve(import.meta.dirname, '../workflows/index.ts'),
  logger: {
    log: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: console.warn,
    error: console.error,
  },
});
console.log(`workflow bundle ok: ${(code.length / 1024 / 1024).toFixed(2)} MB in ${Date.now() - started} ms`);
