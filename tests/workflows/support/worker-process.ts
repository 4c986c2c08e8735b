// A worker in a process of its own, so a test can SIGKILL it mid-journey: the prebuilt workflow
// bundle and the real activities, configured by one JSON argument.
//   node --import tsx tests/workflows/support/worker-process.ts '{"address":…,"taskQueue":…,…}'
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities/index';
import { createResendSender } from '../../../activities/email/resend-sender';
import { createDb } from '../../../db/client';
import { testLinks } from '../../support/links';
import { testDataConverter } from '../../support/temporal-keys';

export interface WorkerProcessConfig {
  address: string;
  taskQueue: string;
  databaseUrl: string;
  workflowBundlePath: string;
  resend: { url: string; apiKey: string };
  /** 0 = no sticky cache: every workflow task goes to the shared queue and replays the history. */
  maxCachedWorkflows: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessConfig;
Runtime.install({ logger: new DefaultLogger('ERROR') });
const connection = await NativeConnection.connect({ address: config.address });
const db = createDb(config.databaseUrl, { max: 2 });
const email = createResendSender({
  apiKey: config.resend.apiKey,
  baseUrl: config.resend.url,
  from: 'Cobranzas <cobranzas@example.com>',
});
const worker = await Worker.create({
  connection,
  taskQueue: config.taskQueue,
  workflowBundle: { codePath: config.workflowBundlePath },
  activities: createActivities({ db: db.db, email, links: testLinks }),
  maxCachedWorkflows: config.maxCachedWorkflows,
  // The rig's client encrypts with the test keys: the worker must read them.
  dataConverter: testDataConverter(),
});
const running = worker.run();
process.stdout.write(`ready ${process.pid}\n`);
process.on('SIGTERM', () => worker.shutdown());
await running;
await db.close();
await connection.close();
