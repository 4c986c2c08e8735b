import {
  bigserial,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts';
import { debtors } from './debtors';

/**
 * The contact budget's ledger: every contact decision (sent, deferred, skipped) per debtor, with the
 * rule that caused it. Caps are counted here across all of a debtor's accounts and channels.
 */
export const contactDecisions = pgTable(
  'contact_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    /** Business key of the attempt (account/step/attempt); one decision per key and outcome. */
    attemptKey: text('attempt_key').notNull(),
    channel: text('channel').notNull(),
    decision: text('decision', { enum: ['sent', 'deferred', 'skipped'] }).notNull(),
    rule: text('rule'),
    packVersion: text('pack_version'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    deferredUntil: timestamp('deferred_until', { withTimezone: true }),
  },
  (t) => [
    index('contact_decisions_debtor_time').on(t.debtorId, t.decidedAt),
    // A retried activity records the same decision once.
    uniqueIndex('contact_decisions_attempt').on(t.attemptKey, t.decision),
  ],
);

/** Per debtor and channel: opted out, or the address proved invalid (bounce, complaint). */
export const debtorChannelStatus = pgTable(
  'debtor_channel_status',
  {
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    channel: text('channel').notNull(),
    status: text('status', { enum: ['opted_out', 'invalid', 'complained'] }).notNull(),
    reason: text('reason'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.debtorId, t.channel] })],
);

/** Agent work for `call` and `visit` steps; completing one signals the account workflow. */
export const agentTasks = pgTable(
  'agent_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    channel: text('channel').notNull(),
    priority: text('priority').notNull().default('normal'),
    /** Lower sorts first in an agent's queue (derived from priority and balance). */
    rank: integer('rank').notNull().default(0),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    assignedAgentId: text('assigned_agent_id'),
    status: text('status', { enum: ['open', 'done', 'cancelled'] })
      .notNull()
      .default('open'),
    outcome: text('outcome'),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [index('agent_tasks_queue').on(t.status, t.assignedAgentId, t.rank, t.dueAt)],
);

/** Provider webhook deliveries already handled (Svix ids, WhatsApp message ids): retries are no-ops. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    provider: text('provider').notNull(),
    deliveryId: text('delivery_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.deliveryId] })],
);
