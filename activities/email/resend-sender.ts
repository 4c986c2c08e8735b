// Sends one email through Resend and reports either a provider id or an EmailSendError: the SDK
// returns failures as data, and an unchecked `{ error }` would make an unsent message look sent.
import { Resend } from 'resend';
import { EmailSendError, fromResendError } from './errors';
import type { EmailMessage, EmailTags } from './render';

export const RESEND_DEFAULT_BASE_URL = 'https://api.resend.com';
export const DEFAULT_USER_AGENT = 'collections-orchestrator';

export interface ResendSenderOptions {
  apiKey: string;
  /**
   * Always handed to the SDK explicitly: left undefined, the SDK would read RESEND_BASE_URL from
   * process.env, and configuration is parsed once, in workers/config.ts.
   */
  baseUrl?: string;
  from: string;
  /** Passed explicitly for the same reason (the SDK falls back to RESEND_USER_AGENT). */
  userAgent?: string;
  /** A hung connection must fail the attempt, not the whole activity timeout. */
  timeoutMs?: number;
}

export interface EmailSender {
  send(msg: EmailMessage): Promise<{ providerMessageId: string }>;
}

// Resend's documented rule for tag names and values; checked here because a rejected tag would
// otherwise surface only as a 422 after the network round trip.
const TAG_PART = /^[A-Za-z0-9_-]{1,256}$/;

function checkMessage(msg: EmailMessage): void {
  const key = msg.idempotencyKey;
  if (key.length < 1 || key.length > 256) {
    throw new EmailSendError(
      'The idempotency key must be 1 to 256 characters long.',
      'invalid_idempotency_key',
      null,
      false,
    );
  }
  for (const [name, value] of Object.entries(msg.tags ?? {})) {
    if (!TAG_PART.test(name) || !TAG_PART.test(value)) {
      throw new EmailSendError(
        `Email tag ${JSON.stringify(name)}=${JSON.stringify(value)} may only contain ASCII letters, digits, "_" and "-" (max 256).`,
        'invalid_tag',
        null,
        false,
      );
    }
  }
}

function toResendTags(tags: EmailTags | undefined): { name: string; value: string }[] | undefined {
  return tags === undefined ? undefined : Object.entries(tags).map(([name, value]) => ({ name, value }));
}

export function createResendSender(options: ResendSenderOptions): EmailSender {
  if (options.apiKey === '') {
    // An empty key would make the SDK fall back to RESEND_API_KEY from the environment.
    throw new Error('createResendSender: apiKey is required.');
  }
  const resend = new Resend(options.apiKey, {
    baseUrl: (options.baseUrl ?? RESEND_DEFAULT_BASE_URL).replace(/\/+$/, ''),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
  });
  const timeoutMs = options.timeoutMs ?? 30_000;

  return {
    async send(msg) {
      checkMessage(msg);
      const { data, error, headers } = await resend.emails.send(
        {
          from: options.from,
          to: msg.to,
          subject: msg.subject,
          html: msg.html,
          text: msg.text,
          tags: toResendTags(msg.tags),
          headers: msg.headers,
          replyTo: msg.replyTo,
        },
        { idempotencyKey: msg.idempotencyKey, signal: AbortSignal.timeout(timeoutMs) },
      );
      if (error) throw fromResendError(error, headers);
      if (typeof data?.id !== 'string' || data.id === '') {
        // Retrying is safe (same key) and may get a proper answer; success without an id is not.
        throw new EmailSendError('Resend answered without an email id.', 'missing_provider_id', 200, true);
      }
      return { providerMessageId: data.id };
    },
  };
}
