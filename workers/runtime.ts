// Wires one process: database, Temporal client, worker and/or API, from one AppConfig.
// `npm start` runs both roles; in production run `workers/api-main.ts` and `workers/worker-main.ts` apart and scale each.
import { DefaultLogger, Runtime as TemporalRuntime, type LogLevel, type Worker } from '@temporalio/worker';
import { createResendSender } from '../activities/email/resend-sender';
import { ensureBootstrapAdmin } from '../api/auth';
import { createOutboxRelay } from '../api/outbox/relay';
import { startApi, type RunningApi } from '../api/server';
import { createDb } from '../db/client';
import { migrateDb } from '../db/migrate';
import type { AppConfig } from './config';
import { connectClient, connectWorkerConnection, ensureSearchAttributes } from './temporal-connection';
import { createCollectionsWorker } from './worker';

let temporalRuntimeInstalled = false;

/** The worker's SDK logger follows LOG_LEVEL; installed once per process, before the first worker. */
function installTemporalRuntime(logLevel: string): void {
  if (temporalRuntimeInstalled) return;
  temporalRuntimeInstalled = true;
  const levels: Record<string, LogLevel> = { fatal: 'ERROR', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG', trace: 'TRACE', silent: 'ERROR' };
  TemporalRuntime.install({ logger: new DefaultLogger(levels[logLevel] ?? 'INFO') });
}

export interface Runtime {
  api?: RunningApi;
  worker?: Worker;
  stop(): Promise<void>;
}

export async function startRuntime(
  config: AppConfig,
  roles: { api: boolean; worker: boolean },
  log: (line: string) => void = console.log,
  options: { workflowBundle?: { codePath: string } } = {},
): Promise<Runtime> {
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required.');
  await migrateDb(config.databaseUrl);
  const database = createDb(config.databaseUrl, { max: config.databasePoolMax });
  const client = await connectClient(config.temporal);
  await ensureSearchAttributes(client, config.temporal.namespace, log);

  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  if (roles.worker) {
    installTemporalRuntime(config.logLevel);
    const connection = await connectWorkerConnection(config.temporal);
    const email = config.email.resendApiKey
      ? createResendSender({ apiKey: config.email.resendApiKey, baseUrl: config.email.resendBaseUrl, from: config.email.from })
      : null;
    if (!email) log('RESEND_API_KEY is not set: emails are kept in the outbound_messages table instead of being sent.');
    worker = await createCollectionsWorker({
      temporal: config.temporal,
      connection,
      deps: { db: database.db, email },
      workflowBundle: options.workflowBundle,
    });
    workerDone = worker.run().finally(() => connection.close());
  }

  let api: RunningApi | undefined;
  if (roles.api) {
    if (config.adminApiKey) await ensureBootstrapAdmin(database.db, config.adminApiKey);
    const outbox = createOutboxRelay({
      db: database.db,
      temporal: client,
      taskQueue: config.temporal.taskQueue,
      log: { warn: (obj, msg) => log(`${msg} ${JSON.stringify(obj)}`) },
    });
    api = await startApi({ config, db: database.db, temporal: client, outbox });
  }

  return {
    api,
    worker,
    async stop() {
      await api?.close();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone;
      await client.connection.close();
      await database.close();
    },
  };
}
