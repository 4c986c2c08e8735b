import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** An uploaded portfolio file processed asynchronously; lines that fail never undo lines that succeeded. */
export const importJobs = pgTable('import_jobs', {
  id: uuid('id').primaryKey().defaultRandom(),
  status: text('status', { enum: ['queued', 'running', 'completed', 'failed'] })
    .notNull()
    .default('queued'),
  filename: text('filename'),
  contentType: text('content_type'),
  totalLines: integer('total_lines'),
  processedLines: integer('processed_lines').notNull().default(0),
  succeededLines: integer('succeeded_lines').notNull().default(0),
  failedLines: integer('failed_lines').notNull().default(0),
  /** Of the succeeded lines: invoices stored by this job, and lines repeating an invoice already stored as is. */
  newLines: integer('new_lines').notNull().default(0),
  repeatedLines: integer('repeated_lines').notNull().default(0),
  /** Once completed: how many of the file's accounts the decision core puts in each stage at once. */
  stages: jsonb('stages').$type<Record<string, number>>(),
  error: jsonb('error'),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

export const importJobErrors = pgTable(
  'import_job_errors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => importJobs.id),
    line: integer('line').notNull(),
    errors: jsonb('errors').notNull(),
    raw: jsonb('raw'),
  },
  (t) => [index('import_job_errors_job_line').on(t.jobId, t.line)],
);
