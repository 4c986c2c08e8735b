import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Transactional outbox of workflow messages: written in the same transaction as the business rows
 * it announces, so an accepted invoice or payment reaches its workflow even if Temporal was down.
 */
export const workflowOutbox = pgTable(
  'workflow_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workflowId: text('workflow_id').notNull(),
    /** The task queue of the deployment that wrote the row; only its relays deliver it. */
    taskQueue: text('task_queue').notNull().default('collections'),
    /** `signal_with_start` opens the account workflow if needed; `signal` only reaches a running one. */
    kind: text('kind', { enum: ['signal_with_start', 'signal'] }).notNull(),
    signalName: text('signal_name').notNull(),
    payload: jsonb('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    /**
     * Set when no workflow took the message and retrying will not change that (its workflow closed, an
     * error that persisted): out of the relay's line, counted by /health, put back by an operator's retry.
     */
    failedAt: timestamp('failed_at', { withTimezone: true }),
  },
  (t) => [
    index('workflow_outbox_pending')
      .on(t.taskQueue, t.nextAttemptAt)
      .where(sql`${t.dispatchedAt} is null and ${t.failedAt} is null`),
    index('workflow_outbox_failed')
      .on(t.taskQueue, t.workflowId)
      .where(sql`${t.dispatchedAt} is null and ${t.failedAt} is not null`),
  ],
);
