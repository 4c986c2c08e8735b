import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { debtors } from './debtors';
import { INVOICE_KEY_SQL } from './invoice-key';

/**
 * One collection account per debtor while it is open; its workflow is the source of truth,
 * the status/stage/balance columns are a read model that the workflow's activities keep current.
 */
export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    currency: text('currency').notNull(),
    workflowId: text('workflow_id').notNull().unique(),
    status: text('status').notNull().default('active'),
    stage: text('stage').notNull().default('none'),
    strategyId: text('strategy_id'),
    strategyVersion: integer('strategy_version'),
    /** Champion or challenger arm of the segmentation split (or 'assigned' when the integrator chose the strategy). */
    strategyArm: text('strategy_arm'),
    balanceMinor: bigint('balance_minor', { mode: 'number' }).notNull().default(0),
    daysPastDue: integer('days_past_due'),
    assignedAgentId: text('assigned_agent_id'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // At most one open account per debtor and currency: a second invoice joins it (a balance has one currency).
    uniqueIndex('accounts_one_open_per_debtor_currency')
      .on(t.debtorId, t.currency)
      .where(sql`${t.closedAt} is null`),
    index('accounts_status_stage').on(t.status, t.stage),
    // The account list (GET /v1/accounts) pages in this order: without it every page sorts the whole table.
    index('accounts_opened_at_id').on(t.openedAt, t.id),
  ],
);

export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    externalId: text('external_id').notNull().unique(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    dueDate: date('due_date').notNull(),
    issuedAt: date('issued_at'),
    strategyId: text('strategy_id'),
    /** Hash of the accepted request: the same externalId with other content is a conflict, not an update. */
    contentHash: text('content_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('invoices_account').on(t.accountId),
    // Bank statements name invoices as people type them (db/schema/invoice-key.ts).
    index('invoices_statement_key').using('btree', sql.raw(INVOICE_KEY_SQL)),
  ],
);
