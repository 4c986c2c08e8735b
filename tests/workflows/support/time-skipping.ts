// One time-skipping Temporal server per test file (or recording run), with a worker on a unique task
// queue running the prebuilt bundle and the real activities (PostgreSQL, and the real `resend` SDK
// against the local Resend stand-in).
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities/index';
import { createResendSender } from '../../../activities/email/resend-sender';
import { createDb, type DbHandle } from '../../../db/client';
import { allSearchAttributes } from '../../../temporal.config';
import { testLinks } from '../../support/links';
import { testDataConverter } from '../../support/temporal-keys';
import { startResendServer, type ResendServer } from '../../support/resend-server';

export interface RigConfig {
  testServerPath: string;
  databaseUrl: string;
  workflowBundlePath: string;
}

export interface TimeSkippingRig {
  env: TestWorkflowEnvironment;
  db: DbHandle;
  resend: ResendServer;
  taskQueue: string;
  /** Null when the test runs its workers elsewhere (another process). */
  worker: Worker | null;
  stop(): Promise<void>;
}

const searchAttributeTypeIds = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
} as const;

let runtimeInstalled = false;

/** Workflow and activity info logs (one per captured message) would drown the test output. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export async function startTimeSkippingRig(
  config: RigConfig,
  opts: { worker?: boolean } = {},
): Promise<TimeSkippingRig> {
  quietRuntime();
  // Payloads are encrypted as in production (the test keys), so recorded histories replay through the codec.
  const dataConverter = testDataConverter();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: config.testServerPath } },
    client: { dataConverter },
  });
  // The test server knows no custom search attributes until told (it implements only the add call).
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(allSearchAttributes.map((k) => [k.name, searchAttributeTypeIds[k.type]])),
  });
  const db = createDb(config.databaseUrl, { max: 4 });
  const resend = await startResendServer();
  const taskQueue = `wf-${randomUUID().slice(0, 8)}`;
  let worker: Worker | null = null;
  let running: Promise<void> = Promise.resolve();
  if (opts.worker !== false) {
    const email = createResendSender({
      apiKey: resend.apiKey,
      baseUrl: resend.url,
      from: 'Cobranzas <cobranzas@example.com>',
      timeoutMs: 5_000,
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: config.workflowBundlePath },
      activities: createActivities({ db: db.db, email, links: testLinks }),
      maxCachedWorkflows: 100,
      dataConverter,
    });
    running = worker.run();
  }
  return {
    env,
    db,
    resend,
    taskQueue,
    worker,
    async stop() {
      if (worker) {
        worker.shutdown();
        await running;
      }
      await env.teardown();
      await resend.close();
      await db.close();
    },
  };
}
