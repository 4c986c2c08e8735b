// What the rest of the system knows about WhatsApp: send a text, hear replies and delivery receipts,
// pair a number. Nothing here names Baileys, so the official Business API can stand in later.

export type WhatsAppStatus =
  'unpaired' | 'pairing' | 'connecting' | 'connected' | 'reconnecting' | 'logged_out' | 'closed';

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface InboundMessage {
  fromE164: string;
  text: string;
  providerMessageId: string;
  at: Date;
}

export interface StatusUpdate {
  providerMessageId: string;
  status: DeliveryStatus;
}

export interface WhatsAppChannel {
  readonly numberId: string;
  status(): WhatsAppStatus;
  /** Throws WhatsAppSendError; its `delivery` says whether the message can have left. */
  sendText(toE164: string, text: string): Promise<{ providerMessageId: string }>;
  /** Returns a function that unsubscribes. */
  onInbound(cb: (m: InboundMessage) => void): () => void;
  onStatus(cb: (s: StatusUpdate) => void): () => void;
  requestPairingCode(phoneE164: string): Promise<string>;
  currentQr(): string | null;
  close(): Promise<void>;
}

export type WhatsAppSendErrorCode =
  | 'disconnected'
  | 'rate_limited'
  | 'daily_cap'
  | 'invalid_number'
  | 'not_on_whatsapp'
  | 'lookup_failed'
  | 'send_failed';

export class WhatsAppSendError extends Error {
  constructor(
    message: string,
    readonly code: WhatsAppSendErrorCode,
    readonly retryable: boolean,
    /**
     * `not_sent`: refused before anything reached WhatsApp, so trying again cannot duplicate.
     * `unknown`: failed while or after handing the message over; it may have been delivered.
     */
    readonly delivery: 'not_sent' | 'unknown',
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'WhatsAppSendError';
  }
}

/** Logger shape shared with Temporal's `Logger`, so a worker can pass its own. */
export interface ChannelLog {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}
