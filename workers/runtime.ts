// Wires one process: database, Temporal client, worker and/or API, from one AppConfig.
// `npm start` runs both roles; in production run `workers/api-main.ts` and `workers/worker-main.ts` apart and scale each.
import { DefaultLogger, Runtime as TemporalRuntime, type LogLevel, type Worker } from '@temporalio/worker';
import { createResendSender } from '../activities/email/resend-sender';
import type { ChannelLog, WhatsAppChannel } from '../activities/whatsapp/channel';
import { createInboundHandler } from '../activities/whatsapp/inbound-handler';
import { createReceiptHandler } from '../activities/whatsapp/receipt-handler';
import { ensureBootstrapAdmin } from '../api/auth';
import { ensureFirstAdmin } from '../lib/users/users';
import { createOutboxRelay } from '../lib/outbox/relay';
import { safeErrorText, safeLogJson } from '../lib/safe-log';
import { startApi, type RunningApi } from '../api/server';
import { createDb } from '../db/client';
import { migrateDb } from '../db/migrate';
import type { LinkSettings } from '../lib/links';
import type { AppConfig } from './config';
import { resolveLinkSigningSecret } from './link-secret';
import { connectClient, connectWorkerConnection, ensureSearchAttributes } from './temporal-connection';
import { temporalDataConverter } from './temporal-data-converter';
import { createCollectionsWorker } from './worker';
import { startWhatsAppWorker, type WhatsAppWorker } from './whatsapp-worker';

let temporalRuntimeInstalled = false;

/** The worker's SDK logger follows LOG_LEVEL; installed once per process, before the first worker. */
function installTemporalRuntime(logLevel: string): void {
  if (temporalRuntimeInstalled) return;
  temporalRuntimeInstalled = true;
  const levels: Record<string, LogLevel> = {
    fatal: 'ERROR',
    error: 'ERROR',
    warn: 'WARN',
    info: 'INFO',
    debug: 'DEBUG',
    trace: 'TRACE',
    silent: 'ERROR',
  };
  TemporalRuntime.install({ logger: new DefaultLogger(levels[logLevel] ?? 'INFO') });
}

export interface Runtime {
  api?: RunningApi;
  worker?: Worker;
  /** One per WHATSAPP_NUMBERS entry, when this process runs the worker role. */
  whatsapp: WhatsAppWorker[];
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  workflowBundle?: { codePath: string };
  /** Another WhatsApp implementation per number (tests: a fake; later the Business API). */
  whatsappChannel?: (numberId: string) => WhatsAppChannel;
  /** How often a number's process looks for pairing-code requests (ms). */
  whatsappPairingPollMs?: number;
}

export async function startRuntime(
  config: AppConfig,
  roles: { api: boolean; worker: boolean },
  log: (line: string) => void = console.log,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required.');
  await migrateDb(config.databaseUrl);
  const database = createDb(config.databaseUrl, { max: config.databasePoolMax });
  // Payloads are encrypted by the client and the workers alike (the codec endpoint uses the client's).
  const dataConverter = temporalDataConverter(config, log);
  const client = await connectClient(config.temporal, dataConverter);
  await ensureSearchAttributes(client, config.temporal.namespace, log);
  // Without PUBLIC_BASE_URL links point at the API; when it runs here, at its actual address (set below).
  const links: LinkSettings = {
    secret: resolveLinkSigningSecret(config, log),
    publicBaseUrl: config.http.publicBaseUrl ?? `http://${config.http.host}:${config.http.port}`,
    portalTtlDays: config.portal.linkTtlDays,
  };

  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  const whatsapp: WhatsAppWorker[] = [];
  const whatsappDone: Promise<void>[] = [];
  if (roles.worker) {
    installTemporalRuntime(config.logLevel);
    const connection = await connectWorkerConnection(config.temporal);
    const email = config.email.resendApiKey
      ? createResendSender({
          apiKey: config.email.resendApiKey,
          baseUrl: config.email.resendBaseUrl,
          from: config.email.from,
        })
      : null;
    if (!email) log('RESEND_API_KEY is not set: emails are kept in the outbound_messages table instead of being sent.');
    if (!config.creditorName) log('CREDITOR_NAME is not set: messages that name the creditor leave it blank.');
    if (!config.whatsapp.sendNumber)
      log(
        'WHATSAPP_SEND_NUMBER is not set: WhatsApp messages are kept in the outbound_messages table instead of being sent.',
      );
    worker = await createCollectionsWorker({
      temporal: config.temporal,
      connection,
      dataConverter,
      deps: {
        db: database.db,
        email,
        links,
        whatsappSendNumber: config.whatsapp.sendNumber,
        ...(config.creditorName ? { creditorName: config.creditorName } : {}),
      },
      workflowBundle: options.workflowBundle,
    });
    const runs: Promise<void>[] = [];
    try {
      for (const numberId of config.whatsapp.numbers) {
        const wa = await startNumber(numberId);
        whatsapp.push(wa);
        runs.push(wa.run());
      }
    } catch (err) {
      for (const wa of whatsapp) wa.shutdown();
      await Promise.allSettled(runs);
      await connection.close();
      throw err;
    }
    whatsappDone.push(
      ...runs.map((run) =>
        run.catch((err: unknown) => log(`A WhatsApp worker stopped: ${safeErrorText(String(err))}`)),
      ),
    );
    workerDone = worker.run().finally(async () => {
      // When the main worker ends (shutdown or a fatal error) the number workers end with it.
      for (const wa of whatsapp) if (wa.worker.getState() === 'RUNNING') wa.shutdown();
      await Promise.all(whatsappDone);
      await connection.close();
    });

    async function startNumber(numberId: string): Promise<WhatsAppWorker> {
      // Signals to account workflows go through the outbox: written with the receipt or reply, delivered at once,
      // and by the API processes' relay if Temporal did not take them.
      const outbox = createOutboxRelay({
        db: database.db,
        temporal: client,
        taskQueue: config.temporal.taskQueue,
        ratePerSecond: config.outboxRatePerSecond,
        log: { warn: (obj, msg) => log(`${msg} ${safeLogJson(obj)}`) },
      });
      const channelLog = whatsappLog(log, numberId);
      let onInbound: ReturnType<typeof createInboundHandler> | undefined;
      return startWhatsAppWorker({
        db: database.db,
        sql: database.sql,
        connection,
        namespace: config.temporal.namespace,
        dataConverter,
        numberId,
        log: channelLog,
        rateLimit: config.whatsapp.rateLimit,
        printQr: config.env === 'development',
        channel: options.whatsappChannel?.(numberId),
        pairingPollMs: options.whatsappPairingPollMs,
        onStatus: createReceiptHandler({ db: database.db, outbox }),
        onInbound: async (m, channel) => {
          onInbound ??= createInboundHandler({
            db: database.db,
            temporal: client,
            channel,
            outbox,
            links,
            log: channelLog,
          });
          await onInbound(m);
        },
      });
    }
  }

  let api: RunningApi | undefined;
  if (roles.api) {
    if (config.adminApiKey) await ensureBootstrapAdmin(database.db, config.adminApiKey);
    const { adminEmail, adminPassword } = config.sessions;
    if (adminEmail && adminPassword) await ensureFirstAdmin(database.db, adminEmail, adminPassword);
    const outbox = createOutboxRelay({
      db: database.db,
      temporal: client,
      taskQueue: config.temporal.taskQueue,
      ratePerSecond: config.outboxRatePerSecond,
      log: { warn: (obj, msg) => log(`${msg} ${safeLogJson(obj)}`) },
    });
    api = await startApi({ config, db: database.db, temporal: client, outbox, links });
    if (!config.http.publicBaseUrl) links.publicBaseUrl = api.url;
  }

  return {
    api,
    worker,
    whatsapp,
    async stop() {
      await api?.close();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      for (const wa of whatsapp) if (wa.worker.getState() === 'RUNNING') wa.shutdown();
      await workerDone;
      await client.connection.close();
      await database.close();
    },
  };
}

/** The channel's logger on this process's log lines (personal data stays out: numbers by id only). */
function whatsappLog(log: (line: string) => void, numberId: string): ChannelLog {
  const line = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    log(`[whatsapp ${numberId}] ${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
