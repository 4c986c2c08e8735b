// Builds the bench's own workflow bundle (production workflows + the baseline) into `dir`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../workers/temporal-data-converter';
import { quietBundleLogger } from '../bundle-logger';

/** Returns the bundle's path; the worker loads it as a prebuilt bundle, like the tests' one. */
export async function buildBenchWorkflowBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve(import.meta.dirname, 'workflows.ts'),
    // As the worker bundles its own: workflow failures go out through the encrypting failure converter.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietBundleLogger,
  });
  const file = path.join(dir, 'bench-workflow-bundle.js');
  writeFileSync(file, code);
  return file;
}
