// Sends messages to debtors exactly once per business idempotency key, even when Temporal retries,
// and creates agent tasks for call and visit steps.
import { ApplicationFailure, log } from '@temporalio/activity';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { DateTime } from 'luxon';
import { accounts, debtors, invoices, outboundMessages } from '../db/schema';
import { createAgentTask } from '../lib/agent-tasks';
import { refuseUnusableChannel } from './channel-refusal';
import { optOutUrl, type LinkSettings } from '../lib/links';
import { portalUrlForDebtor } from '../lib/portal/links';
import { openAmounts } from '../lib/reconcile/match';
import type { TemplateContent } from '../strategies/core/types';
import { EmailSendError, toApplicationFailure } from './email/errors';
import type { EmailSender } from './email/resend-sender';
import { renderEmail } from './message-content';

export interface DeliverMessageInput {
  accountId: string;
  /** Built from business ids (account, stage, step, attempt), never from activity ids. */
  idempotencyKey: string;
  channel: string;
  template: string;
  /** The template's variants by locale, from the strategy version the workflow runs. */
  templateVariants?: Record<string, TemplateContent>;
  locale: string;
  balanceMinor: number;
  currency: string;
  /**
   * WhatsApp only: the number the workflow sends from. The message is rendered and its row kept
   * `pending`; the workflow then calls sendWhatsApp on that number's task queue (the only process
   * holding its socket). Without it a WhatsApp message is captured, as before.
   */
  whatsappNumber?: string;
}

export type SendResult =
  | { status: 'sent' | 'captured'; messageId: string }
  | { status: 'rendered'; messageId: string; text: string; locale: string };

export interface CreateTaskInput {
  accountId: string;
  idempotencyKey: string;
  channel: string;
  priority: string;
  dueAt: number;
}

export function createChannelActivities(deps: {
  db: Db;
  email: EmailSender | null;
  links: LinkSettings;
  /** CREDITOR_NAME: who collects, as messages name it (`{{ creditor.name }}`). */
  creditorName?: string;
}) {
  const { db } = deps;

  async function previouslyDelivered(key: string): Promise<SendResult | null> {
    const [row] = await db
      .select({ id: outboundMessages.id, status: outboundMessages.status })
      .from(outboundMessages)
      .where(and(eq(outboundMessages.idempotencyKey, key), inArray(outboundMessages.status, ['sent', 'captured'])));
    return row ? { status: row.status as 'sent' | 'captured', messageId: row.id } : null;
  }

  return {
    async deliverMessage(input: DeliverMessageInput): Promise<SendResult> {
      const previous = await previouslyDelivered(input.idempotencyKey);
      if (previous) return previous;
      // The debtor may have opted out (or bounced) after the workflow decided this send.
      await refuseUnusableChannel(db, input.accountId, input.channel, input.idempotencyKey);

      const [row] = await db
        .select({
          debtorId: debtors.id,
          name: debtors.name,
          email: debtors.email,
          phone: debtors.phone,
          timezone: debtors.timezone,
        })
        .from(accounts)
        .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
        .where(eq(accounts.id, input.accountId));
      if (!row) throw ApplicationFailure.nonRetryable(`Account ${input.accountId} does not exist`, 'AccountNotFound');
      const address = input.channel === 'email' ? row.email : row.phone;
      if (!address)
        throw ApplicationFailure.nonRetryable(`The debtor has no address for ${input.channel}`, 'NoAddress');

      // Every email carries a signed opt-out link (Reg F; RFC 8058). Its expiry counts from the message's
      // first attempt, so a retry renders the same bytes and Resend's idempotency key still matches.
      const [earlier] = await db
        .select({ createdAt: outboundMessages.createdAt })
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, input.idempotencyKey));
      const issuedAt = earlier?.createdAt ?? new Date();
      const unsubscribeUrl =
        input.channel === 'email' ? optOutUrl(deps.links, input.accountId, 'email', issuedAt) : undefined;
      // Every message carries the debtor's portal link; its expiry too counts from the first attempt.
      const portal = await portalUrlForDebtor(db, deps.links, row.debtorId, issuedAt);
      // The oldest invoice the balance still covers: its number, due date and days past due for the template.
      const accountInvoices = await db
        .select({ externalId: invoices.externalId, amountMinor: invoices.amountMinor, dueDate: invoices.dueDate })
        .from(invoices)
        .where(eq(invoices.accountId, input.accountId));
      const oldestOpen = openAmounts(accountInvoices, input.balanceMinor).find((i) => i.openMinor > 0) ?? null;
      const content = await renderEmail({
        strategy: { templates: input.templateVariants ? { [input.template]: input.templateVariants } : {} },
        template: input.template,
        locale: input.locale,
        debtorName: row.name,
        balanceMinor: input.balanceMinor,
        currency: input.currency,
        optOutUrl: unsubscribeUrl,
        portalUrl: portal.url,
        ...(deps.creditorName ? { creditorName: deps.creditorName } : {}),
        oldestOpen,
        // The first attempt's day in the debtor's zone: a retry tomorrow renders the same bytes.
        today: DateTime.fromJSDate(issuedAt, { zone: row.timezone ?? 'UTC' }).toISODate() ?? undefined,
      });
      const sendsForReal = input.channel === 'email' && deps.email !== null;
      const sentElsewhere = input.channel === 'whatsapp' && input.whatsappNumber !== undefined;
      const [pending] = await db
        .insert(outboundMessages)
        .values({
          idempotencyKey: input.idempotencyKey,
          accountId: input.accountId,
          channel: input.channel,
          template: input.template,
          createdAt: issuedAt,
          locale: content.locale,
          status: 'pending',
          provider: sendsForReal ? 'resend' : null,
          subject: content.subject,
          bodyText: content.text,
          bodyHtml: content.html,
        })
        .onConflictDoUpdate({ target: outboundMessages.idempotencyKey, set: { subject: content.subject } })
        .returning({ id: outboundMessages.id });
      if (!pending) throw new Error('outbound message row was not written');
      // sendWhatsApp claims this row by its key and never sends twice; a failed row stays failed.
      if (sentElsewhere)
        return { status: 'rendered', messageId: pending.id, text: content.text, locale: content.locale };

      if (!sendsForReal || !deps.email) {
        // No provider for this channel here: the rendered message is kept (development outbox).
        await db
          .update(outboundMessages)
          .set({ status: 'captured', sentAt: new Date() })
          .where(eq(outboundMessages.id, pending.id));
        log.info('Message captured in outbound_messages (no provider configured)', {
          messageId: pending.id,
          channel: input.channel,
          template: input.template,
        });
        return { status: 'captured', messageId: pending.id };
      }
      try {
        // A retry after a crash between send and update reuses the key: Resend answers with the first result.
        const sent = await deps.email.send({
          to: address,
          subject: content.subject,
          html: content.html,
          text: content.text,
          idempotencyKey: input.idempotencyKey,
          tags: { account_id: input.accountId, message_id: pending.id },
          ...(unsubscribeUrl
            ? {
                headers: {
                  'List-Unsubscribe': `<${unsubscribeUrl}>`,
                  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
                },
              }
            : {}),
        });
        await db
          .update(outboundMessages)
          .set({ status: 'sent', providerMessageId: sent.providerMessageId, sentAt: new Date() })
          .where(eq(outboundMessages.id, pending.id));
        return { status: 'sent', messageId: pending.id };
      } catch (err) {
        if (err instanceof EmailSendError) {
          if (!err.retryable) {
            await db
              .update(outboundMessages)
              .set({ status: 'failed', error: err.code })
              .where(eq(outboundMessages.id, pending.id));
          }
          // Carries Resend's Retry-After into Temporal's retry delay.
          throw toApplicationFailure(err);
        }
        throw err;
      }
    },

    createAgentTask(input: CreateTaskInput): Promise<{ taskId: string }> {
      return createAgentTask(db, { ...input, dueAt: new Date(input.dueAt) });
    },
  };
}
