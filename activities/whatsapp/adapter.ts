// The WhatsApp channel through Baileys (WhatsApp Web's multi-device protocol), behind WhatsAppChannel.
// One socket per number; its session lives in PostgreSQL; a logged-out number is never reconnected
// (WhatsApp revoked it: only a new pairing helps), every other close is retried with backoff.
import makeWASocket, {
  Browsers,
  DisconnectReason,
  jidNormalizedUser,
  makeCacheableSignalKeyStore,
  proto,
  toNumber,
} from '@whiskeysockets/baileys';
import type {
  ConnectionState,
  UserFacingSocketConfig,
  WAMessage,
  WAMessageKey,
  WASocket,
} from '@whiskeysockets/baileys';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { outboundMessages, whatsappNumbers } from '../../db/schema';
import type { ChannelLog, InboundMessage, StatusUpdate, WhatsAppChannel, WhatsAppStatus } from './channel';
import { baileysLogger, deliveryStatusOf, messageText, senderE164 } from './baileys-mapping';
import { WhatsAppSendError } from './channel';
import { normaliseE164 } from '../../lib/phone';
import { e164ToJid, jidToE164 } from './jid';
import { usePostgresAuthState } from './pg-auth-state';
import {
  createRateLimiter,
  DailyCapReachedError,
  DAY_MS,
  RateLimitWaitTooLongError,
  type RateLimit,
} from './rate-limit';

export type {
  ChannelLog,
  DeliveryStatus,
  InboundMessage,
  StatusUpdate,
  WhatsAppChannel,
  WhatsAppStatus,
} from './channel';
export { WhatsAppSendError } from './channel';

export interface BaileysChannelOptions {
  db: Db;
  numberId: string;
  log: ChannelLog;
  rateLimit: RateLimit;
  /** Longest a send waits for a rate-limit token before failing as retryable (keep under the activity timeout). */
  maxSendWaitMs?: number;
  /** Called with each new QR string (e.g. to print it in a terminal); it is also stored in whatsapp_numbers. */
  onQr?: (qr: string) => void;
  /** Passed through to makeWASocket (e.g. `version`); auth, logger and event handling stay ours. */
  socket?: Partial<Omit<UserFacingSocketConfig, 'auth' | 'logger'>>;
}

/** Reconnect delay after `attempt` consecutive failures: 1 s doubling, capped at one minute. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, attempt));
  // ±20 % so many numbers dropped by one outage do not reconnect in lockstep.
  return Math.min(60_000, Math.round(base * (0.8 + 0.4 * random())));
}

export async function createBaileysChannel(opts: BaileysChannelOptions): Promise<WhatsAppChannel> {
  const { db, numberId, log } = opts;
  const auth = await usePostgresAuthState(db, numberId);
  const logger = baileysLogger(log, { numberId });
  const keys = makeCacheableSignalKeyStore(auth.state.keys, logger);
  const limiter = createRateLimiter(opts.rateLimit, { recentSends: await recentSends(db) });
  const maxSendWaitMs = opts.maxSendWaitMs ?? 20_000;

  const inbound = new Set<(m: InboundMessage) => void>();
  const statuses = new Set<(s: StatusUpdate) => void>();
  const qrWaiters = new Set<() => void>();
  let sock: WASocket | null = null;
  let status: WhatsAppStatus = auth.state.creds.registered ? 'connecting' : 'unpaired';
  let qr: string | null = null;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  let credsWrite: Promise<void> = Promise.resolve();

  const updateNumber = (values: Partial<typeof whatsappNumbers.$inferInsert>) =>
    db
      .update(whatsappNumbers)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(whatsappNumbers.id, numberId))
      .then(() => undefined)
      .catch((err: unknown) =>
        log.error('Could not store the WhatsApp number state', { numberId, error: String(err) }),
      );

  function emit<T>(listeners: Set<(v: T) => void>, value: T): void {
    for (const cb of listeners) {
      try {
        cb(value);
      } catch (err) {
        log.error('A WhatsApp listener threw', { numberId, error: String(err) });
      }
    }
  }

  async function onConnection(s: WASocket, u: Partial<ConnectionState>): Promise<void> {
    if (s !== sock) return;
    if (u.qr) {
      qr = u.qr;
      status = 'pairing';
      for (const wake of qrWaiters) wake();
      opts.onQr?.(u.qr);
      await updateNumber({ status: 'pairing', qr: u.qr });
    }
    if (u.connection === 'open') {
      attempt = 0;
      qr = null;
      status = 'connected';
      const me = s.user?.id ? jidToE164(jidNormalizedUser(s.user.id)) : null;
      log.info('WhatsApp connected', { numberId });
      await updateNumber({ status: 'connected', qr: null, pairingCode: null, ...(me ? { phone: me } : {}) });
    }
    if (u.connection === 'close') {
      sock = null;
      if (stopped) return;
      const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
      if (code === DisconnectReason.loggedOut) {
        stopped = true;
        status = 'logged_out';
        qr = null;
        log.warn('WhatsApp logged this number out; it stays down until it is paired again', { numberId });
        await updateNumber({ status: 'logged_out', qr: null, pairingCode: null });
        // The session is revoked: keeping it would only make the next start fail the same way.
        await credsWrite;
        await auth
          .clear()
          .catch((err: unknown) => log.error('Could not clear the WhatsApp session', { numberId, error: String(err) }));
        return;
      }
      // After pairing WhatsApp asks for an immediate restart; anything else backs off.
      const delay = code === DisconnectReason.restartRequired ? 0 : reconnectDelayMs(attempt++);
      status = 'reconnecting';
      log.warn('WhatsApp connection closed; reconnecting', { numberId, code, delayMs: delay });
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, delay);
    }
  }

  async function onUpsert(s: WASocket, messages: WAMessage[]): Promise<void> {
    for (const m of messages) {
      const id = m.key.id;
      const text = messageText(m.message);
      if (m.key.fromMe || !id || text === null) continue;
      const from = await senderE164(s, m.key);
      if (from === null) {
        log.debug?.('Ignored a WhatsApp message from an address without a phone number', { numberId });
        continue;
      }
      const seconds = toNumber(m.messageTimestamp);
      emit(inbound, {
        fromE164: from,
        text,
        providerMessageId: id,
        at: seconds > 0 ? new Date(seconds * 1000) : new Date(),
      });
    }
  }

  function connect(): void {
    if (stopped) return;
    status = auth.state.creds.registered ? 'connecting' : 'unpaired';
    const s = makeWASocket({
      browser: Browsers.ubuntu('Chrome'),
      markOnlineOnConnect: false,
      // Baileys' default history sync stays on: it carries the LID ↔ phone mappings replies depend on.
      syncFullHistory: false,
      getMessage: (key) => storedMessage(db, key),
      ...opts.socket,
      auth: { creds: auth.state.creds, keys },
      logger,
    });
    sock = s;
    s.ev.on('creds.update', () => {
      // In order: each write serialises the creds as they are when it runs.
      credsWrite = credsWrite
        .then(() => auth.saveCreds())
        .catch((err: unknown) => log.error('Could not save WhatsApp credentials', { numberId, error: String(err) }));
    });
    s.ev.on('connection.update', (u) => void onConnection(s, u));
    s.ev.on('messages.upsert', ({ messages, type }) => {
      if (type === 'notify')
        onUpsert(s, messages).catch((err: unknown) =>
          log.error('Inbound WhatsApp message failed', { numberId, error: String(err) }),
        );
    });
    s.ev.on('messages.update', (updates) => {
      for (const u of updates) {
        const st = deliveryStatusOf(u);
        if (st) emit(statuses, st);
      }
    });
  }

  connect();

  return {
    numberId,
    status: () => status,
    currentQr: () => qr,
    onInbound(cb) {
      inbound.add(cb);
      return () => inbound.delete(cb);
    },
    onStatus(cb) {
      statuses.add(cb);
      return () => statuses.delete(cb);
    },

    async sendText(toE164, text) {
      const s = sock;
      if (status !== 'connected' || s === null) {
        throw new WhatsAppSendError(
          `WhatsApp number ${numberId} is not connected (${status})`,
          'disconnected',
          true,
          'not_sent',
        );
      }
      const guess = e164ToJid(toE164);
      if (guess === null) throw new WhatsAppSendError('Not a valid phone number', 'invalid_number', false, 'not_sent');
      try {
        await limiter.acquire(maxSendWaitMs);
      } catch (err) {
        if (err instanceof DailyCapReachedError) {
          throw new WhatsAppSendError(
            err.message,
            'daily_cap',
            true,
            'not_sent',
            Math.max(0, err.retryAt - Date.now()),
          );
        }
        if (err instanceof RateLimitWaitTooLongError)
          throw new WhatsAppSendError(err.message, 'rate_limited', true, 'not_sent', err.waitMs);
        throw err;
      }
      let jid: string;
      try {
        // WhatsApp's own answer: whether the number has an account and its canonical jid (521… for Mexico).
        const found = (await s.onWhatsApp(guess))?.[0];
        if (!found?.exists) {
          limiter.refund();
          throw new WhatsAppSendError('The number has no WhatsApp account', 'not_on_whatsapp', false, 'not_sent');
        }
        jid = found.jid;
      } catch (err) {
        if (err instanceof WhatsAppSendError) throw err;
        limiter.refund();
        throw new WhatsAppSendError(`WhatsApp lookup failed: ${String(err)}`, 'lookup_failed', true, 'not_sent');
      }
      let sent: WAMessage | undefined;
      try {
        sent = await s.sendMessage(jid, { text });
      } catch (err) {
        throw new WhatsAppSendError(`WhatsApp send failed: ${String(err)}`, 'send_failed', false, 'unknown');
      }
      const id = sent?.key.id;
      if (!id)
        throw new WhatsAppSendError('WhatsApp accepted the message without an id', 'send_failed', false, 'unknown');
      return { providerMessageId: id };
    },

    async requestPairingCode(phoneE164) {
      const e164 = normaliseE164(phoneE164);
      if (e164 === null) throw new Error('requestPairingCode: not a valid E.164 phone number');
      if (auth.state.creds.registered) throw new Error(`WhatsApp number ${numberId} is already paired`);
      // The code can only be asked for once the socket reached the pairing stage (its first QR).
      if (qr === null) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            qrWaiters.delete(wake);
            reject(new Error('WhatsApp did not reach the pairing stage within 60 s'));
          }, 60_000);
          const wake = () => {
            clearTimeout(timer);
            qrWaiters.delete(wake);
            resolve();
          };
          qrWaiters.add(wake);
        });
      }
      const s = sock;
      if (s === null) throw new Error(`WhatsApp number ${numberId} is not connected to WhatsApp`);
      const code = await s.requestPairingCode(e164.slice(1));
      await updateNumber({ status: 'pairing', pairingCode: code, phone: e164 });
      return code;
    },

    async close() {
      stopped = true;
      status = 'closed';
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const s = sock;
      sock = null;
      if (s) await s.end(undefined);
      await credsWrite;
    },
  };
}

/** Baileys asks for a message it sent when the recipient's phone could not decrypt it and wants it again. */
async function storedMessage(db: Db, key: WAMessageKey): Promise<proto.IMessage | undefined> {
  if (!key.id) return undefined;
  const [row] = await db
    .select({ text: outboundMessages.bodyText })
    .from(outboundMessages)
    .where(and(eq(outboundMessages.providerMessageId, key.id), eq(outboundMessages.channel, 'whatsapp')));
  return row?.text ? proto.Message.create({ conversation: row.text }) : undefined;
}

/**
 * Sends of the last 24 hours, so a restart does not reset the daily cap. outbound_messages does not
 * record the sending number, so this counts every Baileys send: exact with one number, cautious with several.
 */
async function recentSends(db: Db): Promise<number[]> {
  const rows = await db
    .select({ at: outboundMessages.sentAt })
    .from(outboundMessages)
    .where(
      and(
        eq(outboundMessages.channel, 'whatsapp'),
        eq(outboundMessages.provider, 'baileys'),
        gt(outboundMessages.sentAt, sql`now() - ${`${DAY_MS} milliseconds`}::interval`),
      ),
    );
  return rows.flatMap((r) => (r.at ? [r.at.getTime()] : []));
}
