// A worker process (the real workflows and activities, configured by the environment as the app's worker is)
// that dies with SIGKILL right after its first ledger append has committed: the local activity ran, its
// workflow task never reached Temporal. WORKFLOW_BUNDLE is a prebuilt bundle; "ready" is sent over IPC once
// the worker polls.
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createLedgerActivities } from '../../activities/ledger.activities';
import { createDb } from '../../db/client';
import { loadConfig } from '../../workers/config';
import { resolveLinkSigningSecret } from '../../workers/link-secret';
import { safeActivityErrorsInterceptor } from '../../workers/safe-activity-errors';
import { connectWorkerConnection } from '../../workers/temporal-connection';
import { temporalDataConverter } from '../../workers/temporal-data-converter';

Runtime.install({ logger: new DefaultLogger('WARN') });
const config = loadConfig(process.env);
const log = (line: string) => console.error(`[worker-dies-after-ledger] ${line}`);
const database = createDb(config.databaseUrl ?? '', { max: 2 });
const activities = createActivities({
  db: database.db,
  email: null,
  links: {
    secret: resolveLinkSigningSecret(config, log),
    publicBaseUrl: 'http://127.0.0.1',
    portalTtlDays: config.portal.linkTtlDays,
  },
});
const ledger = createLedgerActivities({ db: database.db });
activities.appendLedger = async (input) => {
  await ledger.appendLedger(input);
  process.kill(process.pid, 'SIGKILL');
};

const worker = await Worker.create({
  connection: await connectWorkerConnection(config.temporal),
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  dataConverter: temporalDataConverter(config, log),
  activities,
  interceptors: { activity: [safeActivityErrorsInterceptor] },
  workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE ?? '' },
});
const running = worker.run();
process.send?.({ ready: true });
await running;
