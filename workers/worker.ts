// The Temporal worker: runs account workflows and their activities on the configured task queue.
import { createRequire } from 'node:module';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { TemporalConfig } from '../temporal.config';
import { safeActivityErrorsInterceptor } from './safe-activity-errors';

const require = createRequire(import.meta.url);

export async function createCollectionsWorker(args: {
  temporal: TemporalConfig;
  connection: NativeConnection;
  /** Encrypts payloads (workers/temporal-data-converter.ts); a prebuilt bundle carries its failure converter. */
  dataConverter: DataConverter;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build one per run); otherwise workflows/index.ts is bundled at start. */
  workflowBundle?: { codePath: string };
  taskQueue?: string;
}): Promise<Worker> {
  const options: WorkerOptions = {
    connection: args.connection,
    namespace: args.temporal.namespace,
    taskQueue: args.taskQueue ?? args.temporal.taskQueue,
    dataConverter: args.dataConverter,
    activities: createActivities(args.deps),
    interceptors: { activity: [safeActivityErrorsInterceptor] },
    // Sized explicitly: the default grows with the heap and can exhaust it under bursts.
    maxCachedWorkflows: args.temporal.worker.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: args.temporal.worker.maxConcurrentActivities,
    ...(args.workflowBundle
      ? { workflowBundle: args.workflowBundle }
      : { workflowsPath: require.resolve('../workflows/index.ts') }),
  };
  return Worker.create(options);
}
