// One process per WhatsApp number: it holds the number's socket and is the only poller of the number's
// task queue, so sendWhatsApp always runs where the session lives. Activities only, no workflows.
import qrcode from 'qrcode-terminal';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type postgres from 'postgres';
import type { Db } from '../db/client';
import { createBaileysChannel } from '../activities/whatsapp/adapter';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { ChannelLog, InboundMessage, StatusUpdate, WhatsAppChannel } from '../activities/whatsapp/channel';
import { whatsappNumbers } from '../db/schema';
import type { RateLimit } from '../activities/whatsapp/rate-limit';
import { claimInbound, recordDeliveryStatus } from '../activities/whatsapp/receipts';
import { whatsappTaskQueue } from '../activities/whatsapp/task-queue';
import { createWhatsAppActivities } from '../activities/whatsapp/whatsapp.activities';
import { safeErrorText } from '../lib/safe-log';
import { safeActivityErrorsInterceptor } from './safe-activity-errors';

export interface WhatsAppWorkerArgs {
  db: Db;
  /** The same pool's postgres.js client (createDb's `sql`): one of its connections holds the number's lock. */
  sql: postgres.Sql;
  connection: NativeConnection;
  namespace: string;
  /** The main worker's (payload encryption); without it payloads go to Temporal in the clear. */
  dataConverter?: DataConverter;
  numberId: string;
  log: ChannelLog;
  /** Defaults: 10 per minute, 200 per rolling 24 hours (a cautious pace for a number WhatsApp does not know yet). */
  rateLimit?: RateLimit;
  /** Print each pairing QR in the terminal (development). */
  printQr?: boolean;
  /** A debtor's reply, delivered once per WhatsApp message id; routing it to the account is the caller's. */
  onInbound?: (m: InboundMessage, channel: WhatsAppChannel) => Promise<void> | void;
  /** Handles a delivery receipt instead of only recording it (it must record it: see receipts.ts). */
  onStatus?: (s: StatusUpdate) => Promise<void> | void;
  /** How often the number's row is checked for a pairing-code request written by the API (ms; default 3000). */
  pairingPollMs?: number;
  /** Another implementation of the channel (tests; later the official Business API). */
  channel?: WhatsAppChannel;
  maxConcurrentActivities?: number;
  /** How often the connection holding the number's lock is checked (ms; default 5000). */
  lockCheckMs?: number;
}

export interface WhatsAppWorker {
  worker: Worker;
  channel: WhatsAppChannel;
  taskQueue: string;
  /** Runs until shutdown() (or a fatal worker error); then closes the socket and releases the number. */
  run(): Promise<void>;
  shutdown(): void;
}

export const DEFAULT_WHATSAPP_RATE_LIMIT: RateLimit = { perMinute: 10, perDay: 200, burst: 3 };

export async function startWhatsAppWorker(args: WhatsAppWorkerArgs): Promise<WhatsAppWorker> {
  const { db, numberId, log } = args;
  let onLockLost = () => undefined as void;
  const release = await holdNumber(args.sql, numberId, {
    checkEveryMs: args.lockCheckMs,
    log,
    onLost: () => onLockLost(),
  });
  let channel: WhatsAppChannel;
  try {
    channel =
      args.channel ??
      (await createBaileysChannel({
        db,
        numberId,
        log,
        rateLimit: args.rateLimit ?? DEFAULT_WHATSAPP_RATE_LIMIT,
        onQr: args.printQr ? (qr) => qrcode.generate(qr, { small: true }) : undefined,
      }));
  } catch (err) {
    await release();
    throw err;
  }

  const onStatus = args.onStatus ?? ((s: StatusUpdate) => recordDeliveryStatus(db, s).then(() => undefined));
  channel.onStatus((s) => {
    Promise.resolve(onStatus(s)).catch((err: unknown) =>
      log.error('Could not record a WhatsApp receipt', { numberId, error: safeErrorText(String(err)) }),
    );
  });
  channel.onInbound((m) => {
    void (async () => {
      if (!(await claimInbound(db, m.providerMessageId))) return;
      await args.onInbound?.(m, channel);
    })().catch((err: unknown) =>
      log.error('Could not handle an inbound WhatsApp message', { numberId, error: safeErrorText(String(err)) }),
    );
  });
  const pairing = pollPairingRequests(db, channel, log, args.pairingPollMs ?? 3000);

  const taskQueue = whatsappTaskQueue(numberId);
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection: args.connection,
      namespace: args.namespace,
      taskQueue,
      dataConverter: args.dataConverter,
      activities: createWhatsAppActivities({ db, channel }),
      interceptors: { activity: [safeActivityErrorsInterceptor] },
      // The rate limiter serialises sends anyway; a few slots let lookups overlap.
      maxConcurrentActivityTaskExecutions: args.maxConcurrentActivities ?? 4,
    });
  } catch (err) {
    await pairing.stop();
    await channel.close();
    await release();
    throw err;
  }

  let lost = false;
  onLockLost = () => {
    lost = true;
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    worker,
    channel,
    taskQueue,
    async run() {
      try {
        await worker.run();
        if (lost) throw new Error(`WhatsApp number ${numberId} is now served by another process`);
      } finally {
        await pairing.stop();
        await channel.close();
        await release();
      }
    },
    shutdown: () => worker.shutdown(),
  };
}

/**
 * Two sockets on one session make WhatsApp drop them in turn (connection replaced), and two pollers of
 * one task queue would send from a process without the socket: a session-level advisory lock, held on
 * a reserved connection for the worker's life, keeps each number in one process.
 *
 * The lock lives as long as its connection: a PostgreSQL restart (or a killed backend) drops both, and
 * another process could then take the number while this one still sends. So the connection is checked
 * every few seconds; when it is gone the lock is taken again on a new one, and if another process got
 * there first this worker stops serving the number (`onLost`).
 */
export async function holdNumber(
  sql: postgres.Sql,
  numberId: string,
  options: { checkEveryMs?: number; onLost?: () => void; log?: ChannelLog } = {},
): Promise<() => Promise<void>> {
  const key = `whatsapp-number:${numberId}`;
  const take = async (): Promise<postgres.ReservedSql | null> => {
    const conn = await sql.reserve();
    try {
      const [row] = await conn<
        { locked: boolean }[]
      >`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as locked`;
      if (row?.locked) return conn;
    } catch {
      // The new connection died too: the caller tries again later.
    }
    conn.release();
    return null;
  };
  let conn = await take();
  if (!conn) throw new Error(`WhatsApp number ${numberId} is already served by another process`);
  let released = false;
  let checking: Promise<void> = Promise.resolve();
  const check = async () => {
    if (released || !conn) return;
    try {
      await conn`select 1`;
      return;
    } catch {
      conn.release();
      conn = null;
    }
    for (;;) {
      if (released) return;
      try {
        conn = await take();
        if (conn) {
          options.log?.warn('WhatsApp number lock taken again after its connection was lost', { numberId });
          return;
        }
        options.log?.error('WhatsApp number taken by another process after a lost connection: stopping', {
          numberId,
        });
        released = true;
        options.onLost?.();
        return;
      } catch {
        // PostgreSQL is not back yet; nobody else can take the lock meanwhile.
        await new Promise((r) => setTimeout(r, options.checkEveryMs ?? 5000));
      }
    }
  };
  const timer = setInterval(() => {
    checking = checking.then(check);
  }, options.checkEveryMs ?? 5000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await checking;
    if (released && !conn) return;
    released = true;
    const c = conn;
    conn = null;
    if (!c) return;
    await c`select pg_advisory_unlock(hashtextextended(${key}, 0))`.catch(() => undefined);
    c.release();
  };
}

/**
 * The API cannot reach the socket: it writes the request on the number's row, and the process holding
 * the socket takes it (one conditional update, so a request is answered once) and writes the code back.
 */
function pollPairingRequests(
  db: Db,
  channel: WhatsAppChannel,
  log: ChannelLog,
  everyMs: number,
): { stop(): Promise<void> } {
  const numberId = channel.numberId;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  async function once(): Promise<void> {
    const [asked] = await db
      .select({ phone: whatsappNumbers.pairingRequestedPhone })
      .from(whatsappNumbers)
      .where(and(eq(whatsappNumbers.id, numberId), isNotNull(whatsappNumbers.pairingRequestedPhone)));
    const phone = asked?.phone;
    if (!phone) return;
    const taken = await db
      .update(whatsappNumbers)
      .set({ pairingRequestedPhone: null, pairingError: null, updatedAt: new Date() })
      .where(and(eq(whatsappNumbers.id, numberId), eq(whatsappNumbers.pairingRequestedPhone, phone)))
      .returning({ id: whatsappNumbers.id });
    if (taken.length === 0) return;
    try {
      const code = await channel.requestPairingCode(phone);
      await db
        .update(whatsappNumbers)
        .set({ status: 'pairing', pairingCode: code, phone, updatedAt: new Date() })
        .where(eq(whatsappNumbers.id, numberId));
      log.info('WhatsApp pairing code ready', { numberId });
    } catch (err) {
      log.warn('WhatsApp pairing code request failed', { numberId, error: safeErrorText(String(err)) });
      await db
        .update(whatsappNumbers)
        .set({ pairingError: err instanceof Error ? err.message : String(err), updatedAt: new Date() })
        .where(eq(whatsappNumbers.id, numberId));
    }
  }

  const tick = () => {
    if (stopped) return;
    current = once()
      .catch((err: unknown) =>
        log.error('Could not check WhatsApp pairing requests', { numberId, error: safeErrorText(String(err)) }),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
