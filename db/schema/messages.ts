import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts';

/**
 * Every outbound message, keyed by a business idempotency key (account, step, attempt).
 * The unique key outlives the provider's own 24-hour idempotency window, so a retried
 * activity never sends twice. Without a provider configured the rendered message is kept
 * here with status `captured` (the development outbox).
 */
export const outboundMessages = pgTable(
  'outbound_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    channel: text('channel').notNull(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'captured', 'failed'] }).notNull(),
    /** Latest provider delivery event: delivered, bounced, complained, opened, read… */
    deliveryStatus: text('delivery_status'),
    deliveryUpdatedAt: timestamp('delivery_updated_at', { withTimezone: true }),
    provider: text('provider'),
    providerMessageId: text('provider_message_id'),
    subject: text('subject'),
    bodyText: text('body_text'),
    bodyHtml: text('body_html'),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('outbound_messages_account').on(t.accountId)],
);
