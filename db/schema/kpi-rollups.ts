import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';

// The KPI rollups (GET /v1/kpis answers from them, not from the raw ledger). Kept by the ledger append in
// the same statement as the entries it inserts (lib/ledger/append.ts): only rows the insert really added
// are counted, so a retried append or a replayed workflow never counts twice. Every key column is a
// ledger column as the entry recorded it; a null is a value of its own (nulls not distinct).

/**
 * The additive figures: per local date and ledger key, per entry type (and its sub-key: the reason of a
 * deferred or skipped entry, the status of a closed one, the outcome of a contact outcome), how many
 * entries and the sum of their amounts. Opened, placed, collected, promises, kept, broken, messages,
 * tasks, right-party contacts, deferred, skipped and closed are sums of these rows over the period.
 */
export const kpiDaily = pgTable(
  'kpi_daily',
  {
    localDate: date('local_date').notNull(),
    currency: text('currency').notNull(),
    strategyId: text('strategy_id'),
    strategyVersion: integer('strategy_version'),
    arm: text('arm'),
    stage: text('stage').notNull(),
    channel: text('channel'),
    agentId: text('agent_id'),
    country: text('country'),
    type: text('type').notNull(),
    sub: text('sub'),
    entries: integer('entries').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  },
  (t) => [
    unique('kpi_daily_key')
      .on(
        t.localDate,
        t.currency,
        t.strategyId,
        t.strategyVersion,
        t.arm,
        t.stage,
        t.channel,
        t.agentId,
        t.country,
        t.type,
        t.sub,
      )
      .nullsNotDistinct(),
  ],
);

/**
 * Accounts active in a month, per the account-level part of the key (strategy, version, arm, country):
 * `days` has bit d−1 set when the account has an entry with that key on local day d. `accounts` (distinct
 * accounts with any entry in the period) of a query grouped by these dimensions only reads about one row
 * per active account and month, instead of every entry.
 */
export const kpiAccountMonths = pgTable(
  'kpi_account_months',
  {
    month: date('month').notNull(),
    currency: text('currency').notNull(),
    strategyId: text('strategy_id'),
    strategyVersion: integer('strategy_version'),
    arm: text('arm'),
    country: text('country'),
    accountId: uuid('account_id').notNull(),
    days: integer('days').notNull(),
  },
  (t) => [
    unique('kpi_account_months_key')
      .on(t.month, t.currency, t.strategyId, t.strategyVersion, t.arm, t.country, t.accountId)
      .nullsNotDistinct(),
  ],
);

/**
 * Accounts active on a day, per the whole ledger key, with the day's placed (opened amounts) and paid
 * (payment amounts) of the account under that key: `accounts` of queries grouped by stage, channel, agent
 * or day, and `recovered` (Σ min(placed, paid) per account) of every query.
 */
export const kpiAccountDays = pgTable(
  'kpi_account_days',
  {
    localDate: date('local_date').notNull(),
    currency: text('currency').notNull(),
    strategyId: text('strategy_id'),
    strategyVersion: integer('strategy_version'),
    arm: text('arm'),
    stage: text('stage').notNull(),
    channel: text('channel'),
    agentId: text('agent_id'),
    country: text('country'),
    accountId: uuid('account_id').notNull(),
    /** Σ amounts of the `opened` entries (null when none). */
    placedMinor: bigint('placed_minor', { mode: 'number' }),
    /** Σ amounts of the `payment` entries (null when none). */
    paidMinor: bigint('paid_minor', { mode: 'number' }),
  },
  (t) => [
    unique('kpi_account_days_key')
      .on(
        t.localDate,
        t.currency,
        t.strategyId,
        t.strategyVersion,
        t.arm,
        t.stage,
        t.channel,
        t.agentId,
        t.country,
        t.accountId,
      )
      .nullsNotDistinct(),
    // Recovered reads only the days with money (openings and payments), a small part of the table.
    index('kpi_account_days_money')
      .on(t.localDate)
      .where(sql`${t.placedMinor} is not null or ${t.paidMinor} is not null`),
  ],
);

/**
 * Each account's latest ledger entry (its standing now: days past due at that entry, stage, strategy, arm,
 * agent, country) and its latest `closed`/`reopened` entry, kept by the ledger append like the rollups.
 * Aging and roll rates on a date D read it for every account whose latest entry is on or before D (the
 * common case: D is today) instead of searching each account's ledger; the others are read from the ledger.
 */
export const accountStanding = pgTable('account_standing', {
  accountId: uuid('account_id').primaryKey(),
  seq: integer('seq').notNull(),
  localDate: date('local_date').notNull(),
  day: integer('day'),
  stage: text('stage').notNull(),
  strategyId: text('strategy_id'),
  strategyVersion: integer('strategy_version'),
  arm: text('arm'),
  agentId: text('agent_id'),
  country: text('country'),
  /** The latest `closed` or `reopened` entry: its seq, and the closing status when it is a `closed` one. */
  closeSeq: integer('close_seq'),
  closedStatus: text('closed_status'),
});
