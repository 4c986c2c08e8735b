// Sends messages to debtors exactly once per business idempotency key, even when Temporal retries.
import { ApplicationFailure, log } from '@temporalio/activity';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts, debtors, outboundMessages } from '../db/schema';
import type { EmailSender } from './email/resend-sender';
import { EmailSendError, toApplicationFailure } from './email/errors';
import { renderEmail } from './message-content';

export interface SendEmailInput {
  accountId: string;
  /** Built from business ids (workflow, step, attempt), never from activity ids. */
  idempotencyKey: string;
  template: string;
  locale: string;
}

export interface SendResult {
  status: 'sent' | 'captured';
  messageId: string;
}

export function createChannelActivities(deps: { db: Db; email: EmailSender | null }) {
  const { db } = deps;
  return {
    async sendEmail(input: SendEmailInput): Promise<SendResult> {
      const done = await db
        .select({ id: outboundMessages.id, status: outboundMessages.status })
        .from(outboundMessages)
        .where(and(eq(outboundMessages.idempotencyKey, input.idempotencyKey), inArray(outboundMessages.status, ['sent', 'captured'])));
      const previous = done[0];
      if (previous) return { status: previous.status as SendResult['status'], messageId: previous.id };

      const [row] = await db
        .select({ name: debtors.name, email: debtors.email, balanceMinor: accounts.balanceMinor, currency: accounts.currency })
        .from(accounts)
        .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
        .where(eq(accounts.id, input.accountId));
      if (!row) throw ApplicationFailure.nonRetryable(`Account ${input.accountId} does not exist`, 'AccountNotFound');
      if (!row.email) throw ApplicationFailure.nonRetryable('The debtor has no email address', 'NoAddress');

      const content = await renderEmail({
        strategy: { templates: {} },
        template: input.template,
        locale: input.locale,
        debtorName: row.name,
        balanceMinor: row.balanceMinor,
        currency: row.currency,
      });
      const [pending] = await db
        .insert(outboundMessages)
        .values({
          idempotencyKey: input.idempotencyKey,
          accountId: input.accountId,
          channel: 'email',
          template: input.template,
          locale: input.locale,
          status: 'pending',
          provider: deps.email ? 'resend' : null,
          subject: content.subject,
          bodyText: content.text,
          bodyHtml: content.html,
        })
        .onConflictDoUpdate({ target: outboundMessages.idempotencyKey, set: { subject: content.subject } })
        .returning({ id: outboundMessages.id });
      if (!pending) throw new Error('outbound message row was not written');

      if (!deps.email) {
        await db.update(outboundMessages).set({ status: 'captured', sentAt: new Date() }).where(eq(outboundMessages.id, pending.id));
        log.info('Email captured in outbound_messages (no RESEND_API_KEY)', { messageId: pending.id, template: input.template });
        return { status: 'captured', messageId: pending.id };
      }
      try {
        // A retry after a crash between send and update reuses the key: Resend answers with the first result.
        const sent = await deps.email.send({
          to: row.email,
          subject: content.subject,
          html: content.html,
          text: content.text,
          idempotencyKey: input.idempotencyKey,
          tags: { account_id: input.accountId, message_id: pending.id },
        });
        await db
          .update(outboundMessages)
          .set({ status: 'sent', providerMessageId: sent.providerMessageId, sentAt: new Date() })
          .where(eq(outboundMessages.id, pending.id));
        return { status: 'sent', messageId: pending.id };
      } catch (err) {
        if (err instanceof EmailSendError) {
          if (!err.retryable) {
            await db.update(outboundMessages).set({ status: 'failed', error: err.code }).where(eq(outboundMessages.id, pending.id));
          }
          // Carries Resend's Retry-After into Temporal's retry delay.
          throw toApplicationFailure(err);
        }
        throw err;
      }
    },
  };
}
