import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts';
import { debtors } from './debtors';

/**
 * The numeric reference a debtor writes on a bank transfer ("referencia"), one per debtor and currency; the
 * statement reconciliation finds the debtor by it. Random digits with a check digit: not derived from any id.
 */
export const transferReferences = pgTable(
  'transfer_references',
  {
    reference: text('reference').primaryKey(),
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    currency: text('currency').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('transfer_references_debtor_currency').on(t.debtorId, t.currency)],
);

/** An uploaded bank statement read asynchronously; like a portfolio import, a bad line never undoes good ones. */
export const statementJobs = pgTable('statement_jobs', {
  id: uuid('id').primaryKey().defaultRandom(),
  status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] })
    .notNull()
    .default('queued'),
  filename: text('filename'),
  /** camt.053, camt.054, mt940 or csv: decided from the bytes. */
  format: text('format'),
  totalLines: integer('total_lines'),
  processedLines: integer('processed_lines').notNull().default(0),
  /** Lines stored by this job; lines already stored by an earlier upload of the same statement. */
  newLines: integer('new_lines').notNull().default(0),
  repeatedLines: integer('repeated_lines').notNull().default(0),
  failedLines: integer('failed_lines').notNull().default(0),
  /** Of the new lines: applied automatically, and left in the queue. */
  appliedLines: integer('applied_lines').notNull().default(0),
  queuedLines: integer('queued_lines').notNull().default(0),
  error: jsonb('error'),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

export const statementJobErrors = pgTable(
  'statement_job_errors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => statementJobs.id),
    line: integer('line').notNull(),
    errors: jsonb('errors').notNull(),
    raw: jsonb('raw'),
  },
  (t) => [index('statement_job_errors_job_line').on(t.jobId, t.line)],
);

export type StatementLineStatus = 'unmatched' | 'applied' | 'ignored';

/** A suggested or applied match, with its score (0..1) and why. */
export interface StatementCandidate {
  debtorId: string;
  accountId: string | null;
  invoiceIds: string[];
  score: number;
  reasons: string[];
}

/**
 * One movement on our bank account. `key` (bank, account, booking date, signed amount, the bank's reference)
 * makes a statement uploaded twice a no-op, and is the reference of the payment an applied line becomes.
 */
export const statementLines = pgTable(
  'statement_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull().unique(),
    jobId: uuid('job_id').references(() => statementJobs.id),
    bank: text('bank').notNull(),
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    bookingDate: date('booking_date').notNull(),
    valueDate: date('value_date'),
    /** Positive: money in (credit); negative: money out (a returned transfer, a fee). */
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    /** A reversal of an earlier credit (camt RvslInd, MT940 RC/RD, a returned transfer). */
    reversal: boolean('reversal').notNull().default(false),
    bankReference: text('bank_reference'),
    endToEndId: text('end_to_end_id'),
    remittance: text('remittance'),
    counterpartyName: text('counterparty_name'),
    counterpartyTaxId: text('counterparty_tax_id'),
    counterpartyAccount: text('counterparty_account'),
    status: text('status', { enum: ['unmatched', 'applied', 'ignored'] })
      .notNull()
      .default('unmatched'),
    /** Why it waits in the queue (no candidate, below threshold, a reversal to review…). */
    queueReason: text('queue_reason'),
    suggestions: jsonb('suggestions').$type<StatementCandidate[]>(),
    /** For a reversal: the line whose payment it reverses. */
    reversesLineId: uuid('reverses_line_id'),
    ignoredReason: text('ignored_reason'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('statement_lines_queue')
      .on(t.bookingDate, t.id)
      .where(sql`${t.status} = 'unmatched'`),
    index('statement_lines_job').on(t.jobId),
  ],
);

/** Where an applied line's money went: one row per account (a payment with reference = the line's key). */
export const statementApplications = pgTable(
  'statement_applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    lineId: uuid('line_id')
      .notNull()
      .references(() => statementLines.id),
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    accountId: uuid('account_id').references(() => accounts.id),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** The invoices the money was meant for (named in the remittance or by the person applying). */
    invoiceIds: jsonb('invoice_ids').$type<string[]>().notNull().default([]),
    automatic: boolean('automatic').notNull().default(false),
    score: doublePrecision('score'),
    reasons: jsonb('reasons').$type<string[]>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('statement_applications_line_account').on(t.lineId, t.accountId),
    index('statement_applications_account').on(t.accountId),
  ],
);

/**
 * A debtor's money not owed yet: an over-payment adds (+), the next invoice's intake consumes (-) it.
 * (source, source_ref) makes every entry happen once: a line's over-payment, an invoice's consumption, a payment
 * no account took (its run had closed the account: lib/outbox/late-payments.ts).
 */
export const debtorCredits = pgTable(
  'debtor_credits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    currency: text('currency').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    source: text('source', { enum: ['statement_line', 'invoice', 'reversal', 'payment'] }).notNull(),
    sourceRef: text('source_ref').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('debtor_credits_source').on(t.source, t.sourceRef),
    index('debtor_credits_debtor').on(t.debtorId, t.currency),
  ],
);
