// Turns a Resend webhook delivery into a typed email event, but only after proving Resend sent it:
// the Svix signature covers id, timestamp and the raw body, and stale timestamps stop replays.
import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'svix';

/** Tags sent with a message and returned by Resend in its events. */
export type EmailTags = Record<string, string>;

export const WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

export type WebhookRejection =
  'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature' | 'bad_payload';

export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

interface EmailEventBase {
  /** The svix-id header: the same for every retry of one delivery, so it deduplicates them. */
  deliveryId: string;
  emailId: string;
  occurredAt: string;
  to: string[];
  subject: string;
  /** The tags we sent, returned by Resend; they lead back to the account and step. */
  tags: EmailTags;
}

export type EmailEvent =
  | (EmailEventBase & {
      type:
        | 'email.sent'
        | 'email.delivered'
        | 'email.delivery_delayed'
        | 'email.complained'
        | 'email.opened'
        | 'email.scheduled';
    })
  | (EmailEventBase & {
      type: 'email.bounced';
      bounce: { type: 'Permanent' | 'Transient' | 'Undetermined'; subType: string; message: string };
    })
  | (EmailEventBase & { type: 'email.clicked'; click: { link: string; timestamp: string } })
  | (EmailEventBase & { type: 'email.failed'; failed: { reason: string } })
  | (EmailEventBase & { type: 'email.suppressed'; suppressed: { reason: string; type: string } });

/** Authentic deliveries we do not act on (contacts, domains, inbound mail): acknowledge, ignore. */
export interface OtherResendEvent {
  type: 'other';
  deliveryId: string;
  eventType: string;
}

export type ResendWebhookEvent = EmailEvent | OtherResendEvent;

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : found;
}

function checkTimestamp(raw: string, now: Date): Date {
  if (!/^\d+$/.test(raw))
    throw new WebhookVerificationError('bad_timestamp', 'svix-timestamp is not a Unix time in seconds.');
  const sentAt = new Date(Number(raw) * 1000);
  if (Math.abs(now.getTime() - sentAt.getTime()) > WEBHOOK_TOLERANCE_MS) {
    throw new WebhookVerificationError(
      'stale_timestamp',
      'svix-timestamp is more than 5 minutes from now; refusing a possible replay.',
    );
  }
  return sentAt;
}

function signatureMatches(expected: string, signatures: string): boolean {
  const want = Buffer.from(expected);
  // The header may list several space-separated signatures while a secret is being rotated.
  return signatures.split(' ').some((candidate) => {
    const got = Buffer.from(candidate);
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

/**
 * svix's own verify() reads the wall clock; the tolerance check is done here against `now` so
 * it can be tested, and svix computes the signature (secret decoding, HMAC, encoding).
 */
export function verifyResendWebhook(
  rawBody: string | Buffer,
  headers: HeaderBag,
  signingSecret: string,
  now: Date = new Date(),
): ResendWebhookEvent {
  const id = header(headers, 'svix-id');
  const timestamp = header(headers, 'svix-timestamp');
  const signature = header(headers, 'svix-signature');
  if (!id || !timestamp || !signature) {
    throw new WebhookVerificationError(
      'missing_headers',
      'svix-id, svix-timestamp and svix-signature headers are required.',
    );
  }
  const sentAt = checkTimestamp(timestamp, now);
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const expected = new Webhook(signingSecret).sign(id, sentAt, body);
  if (!signatureMatches(expected, signature)) {
    throw new WebhookVerificationError('bad_signature', 'No svix-signature matches the body with this signing secret.');
  }
  return parseEvent(id, body);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(obj: Json, key: string): string {
  const value = obj[key];
  if (typeof value !== 'string')
    throw new WebhookVerificationError('bad_payload', `Webhook field ${key} is not a string.`);
  return value;
}

function sub(obj: Json, key: string): Json {
  const value = obj[key];
  if (!isObject(value)) throw new WebhookVerificationError('bad_payload', `Webhook field ${key} is missing.`);
  return value;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new WebhookVerificationError('bad_payload', 'Webhook body is not JSON.');
  }
}

// The signature proves the sender, not the shape; fields we rely on are checked, the rest ignored.
function parseEvent(deliveryId: string, body: string): ResendWebhookEvent {
  const payload = parseJson(body);
  if (!isObject(payload)) throw new WebhookVerificationError('bad_payload', 'Webhook body is not a JSON object.');
  const type = str(payload, 'type');
  const data = sub(payload, 'data');
  const base = (): EmailEventBase => ({
    deliveryId,
    emailId: str(data, 'email_id'),
    occurredAt: str(payload, 'created_at'),
    to: Array.isArray(data.to) ? data.to.filter((t): t is string => typeof t === 'string') : [],
    subject: typeof data.subject === 'string' ? data.subject : '',
    tags: isObject(data.tags)
      ? (Object.fromEntries(Object.entries(data.tags).filter(([, v]) => typeof v === 'string')) as EmailTags)
      : {},
  });
  switch (type) {
    case 'email.sent':
    case 'email.delivered':
    case 'email.delivery_delayed':
    case 'email.complained':
    case 'email.opened':
    case 'email.scheduled':
      return { ...base(), type };
    case 'email.bounced': {
      const b = sub(data, 'bounce');
      const kind = str(b, 'type');
      const bounceType = kind === 'Permanent' || kind === 'Transient' ? kind : 'Undetermined';
      return { ...base(), type, bounce: { type: bounceType, subType: str(b, 'subType'), message: str(b, 'message') } };
    }
    case 'email.clicked': {
      const c = sub(data, 'click');
      return { ...base(), type, click: { link: str(c, 'link'), timestamp: str(c, 'timestamp') } };
    }
    case 'email.failed':
      return { ...base(), type, failed: { reason: str(sub(data, 'failed'), 'reason') } };
    case 'email.suppressed': {
      const s = sub(data, 'suppressed');
      return { ...base(), type, suppressed: { reason: str(s, 'reason'), type: str(s, 'type') } };
    }
    default:
      return { type: 'other', deliveryId, eventType: type };
  }
}
