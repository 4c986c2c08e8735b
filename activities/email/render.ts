// Template rendering lands here with the templates work; this file fixes the shape it must
// produce, which is what the email channel sends.
import type { EmailTags } from '../../lib/email/resend-webhook';

/** Tag values come back verbatim in delivery webhooks, so they carry our business ids. */
export type { EmailTags };

export interface EmailMessage {
  to: string | string[];
  subject: string;
  html: string;
  text: string;
  /**
   * Built from business ids (account, step, attempt), never activity ids: Resend answers a
   * repeat of the same key and body with the first response, so a retried send delivers once.
   */
  idempotencyKey: string;
  /** Names and values: ASCII letters, digits, `_` and `-`, at most 256 characters (Resend's rule). */
  tags?: EmailTags;
  headers?: Record<string, string>;
  replyTo?: string | string[];
}
