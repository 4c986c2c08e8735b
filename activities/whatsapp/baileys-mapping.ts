// Baileys' events read into the channel's narrow types: who wrote (E.164), what they wrote, how far
// our message got; and Baileys' pino-style logging folded into ours.
import { isLidUser, isPnUser, jidNormalizedUser, normalizeMessageContent, proto } from '@whiskeysockets/baileys';
import type {
  UserFacingSocketConfig,
  WAMessage,
  WAMessageKey,
  WAMessageUpdate,
  WASocket,
} from '@whiskeysockets/baileys';
import type { ChannelLog, DeliveryStatus, StatusUpdate } from './channel';
import { jidToE164 } from './jid';

export type BaileysLogger = NonNullable<UserFacingSocketConfig['logger']>;

const STATUS_BY_ACK: Partial<Record<number, DeliveryStatus>> = {
  [proto.WebMessageInfo.Status.ERROR]: 'failed',
  [proto.WebMessageInfo.Status.SERVER_ACK]: 'sent',
  [proto.WebMessageInfo.Status.DELIVERY_ACK]: 'delivered',
  [proto.WebMessageInfo.Status.READ]: 'read',
  [proto.WebMessageInfo.Status.PLAYED]: 'read',
};

export function deliveryStatusOf(update: WAMessageUpdate): StatusUpdate | null {
  const id = update.key.id;
  const ack = update.update.status;
  if (!update.key.fromMe || !id || ack === null || ack === undefined) return null;
  const status = STATUS_BY_ACK[ack];
  return status ? { providerMessageId: id, status } : null;
}

/** The text a debtor typed or picked (plain, extended, button or list reply); null for media and the rest. */
export function messageText(message: WAMessage['message']): string | null {
  const m = normalizeMessageContent(message);
  const text =
    m?.conversation ??
    m?.extendedTextMessage?.text ??
    m?.buttonsResponseMessage?.selectedDisplayText ??
    m?.listResponseMessage?.title ??
    m?.templateButtonReplyMessage?.selectedDisplayText ??
    null;
  return text === null || text.trim() === '' ? null : text;
}

export async function senderE164(s: WASocket, key: WAMessageKey): Promise<string | null> {
  const remote = key.remoteJid;
  if (!remote) return null;
  if (isPnUser(remote)) return jidToE164(jidNormalizedUser(remote));
  if (!isLidUser(remote)) return null; // groups, broadcasts, newsletters
  // WhatsApp increasingly addresses people by LID; the phone number comes with the message or from the mapping store.
  const pn = key.remoteJidAlt ?? (await s.signalRepository.lidMapping.getPNForLID(remote));
  return pn ? jidToE164(jidNormalizedUser(pn)) : null;
}

/** Baileys logs through a pino-like interface and is chatty: only its warnings and errors reach our log. */
export function baileysLogger(log: ChannelLog, bindings: Record<string, unknown>): BaileysLogger {
  const meta = (obj: unknown) => ({
    ...bindings,
    ...(typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>) : { detail: obj }),
  });
  const text = (obj: unknown, msg?: string) => msg ?? (typeof obj === 'string' ? obj : 'baileys');
  return {
    level: 'warn',
    child: (obj: Record<string, unknown>) => baileysLogger(log, { ...bindings, ...obj }),
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj: unknown, msg?: string) => log.warn(text(obj, msg), meta(obj)),
    error: (obj: unknown, msg?: string) => log.error(text(obj, msg), meta(obj)),
  };
}
