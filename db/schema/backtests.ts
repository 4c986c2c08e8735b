import { date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * A backtest: the recorded external events of the accounts active in [from, to] replayed through one
 * strategy version, run in the background by the API process; progress is counted per account.
 */
export const backtestJobs = pgTable('backtest_jobs', {
  id: uuid('id').primaryKey().defaultRandom(),
  status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] })
    .notNull()
    .default('queued'),
  strategyId: text('strategy_id').notNull(),
  strategyVersion: integer('strategy_version').notNull(),
  /** Local dates of the debtors, both included. */
  fromDate: date('from_date').notNull(),
  toDate: date('to_date').notNull(),
  /** A deterministic sample of at most this many accounts (by a hash of the account id). */
  sample: integer('sample'),
  /** Only accounts whose ledger entries in the period were written under this strategy id. */
  collectedUnder: text('collected_under'),
  totalAccounts: integer('total_accounts'),
  doneAccounts: integer('done_accounts').notNull().default(0),
  /** Once completed: the actual and simulated figures side by side. */
  result: jsonb('result'),
  error: jsonb('error'),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});
