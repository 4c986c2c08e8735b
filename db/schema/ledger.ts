import { bigint, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts';

/**
 * The account ledger: every timeline entry of every account, once, in order (append-only). Keyed by
 * account and the entry's position in the account's timeline, so a retried activity or a replayed
 * workflow writes nothing twice and a missing seq is a detectable gap. The source of every figure
 * (KPIs, exports) and of the audit of what happened to an account; nothing reads workflow histories.
 */
export const accountLedger = pgTable(
  'account_ledger',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    seq: integer('seq').notNull(),
    /** The business instant of the entry. */
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** The debtor's local calendar date of `at` (KPIs count in the debtor's local dates). */
    localDate: date('local_date').notNull(),
    type: text('type').notNull(),
    stage: text('stage').notNull(),
    day: integer('day'),
    strategyId: text('strategy_id'),
    strategyVersion: integer('strategy_version'),
    arm: text('arm'),
    channel: text('channel'),
    /** The agent the account was assigned to when the entry was written. */
    agentId: text('agent_id'),
    country: text('country'),
    currency: text('currency').notNull(),
    /** The entry's amount (payment, promise, write-off, adjustment…) in minor units. */
    amountMinor: bigint('amount_minor', { mode: 'number' }),
    reason: text('reason'),
    entry: jsonb('entry').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.seq] }),
    index('account_ledger_date_type').on(t.localDate, t.type),
    index('account_ledger_strategy_date').on(t.strategyId, t.localDate),
  ],
);
