// Outbox rows no workflow took: counted for /health, listed and put back in line by an operator.
import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { workflowOutbox } from '../../db/schema';

export interface OutboxBacklog {
  /** Waiting for delivery (Temporal down, a backoff, the inline grace). */
  pending: number;
  /** Failed: no workflow took them; they wait for a retry. */
  failed: number;
}

export async function outboxBacklog(db: Db, taskQueue: string): Promise<OutboxBacklog> {
  const [row] = await db.execute<{ pending: number; failed: number }>(sql`
    select count(*) filter (where failed_at is null)::int as pending,
           count(*) filter (where failed_at is not null)::int as failed
    from workflow_outbox where dispatched_at is null and task_queue = ${taskQueue}`);
  return { pending: row?.pending ?? 0, failed: row?.failed ?? 0 };
}

const failedOf = (taskQueue: string) =>
  and(eq(workflowOutbox.taskQueue, taskQueue), isNull(workflowOutbox.dispatchedAt), isNotNull(workflowOutbox.failedAt));

export async function listFailedRows(db: Db, taskQueue: string, limit = 100) {
  const rows = await db
    .select({
      id: workflowOutbox.id,
      workflowId: workflowOutbox.workflowId,
      signalName: workflowOutbox.signalName,
      attempts: workflowOutbox.attempts,
      lastError: workflowOutbox.lastError,
      failedAt: workflowOutbox.failedAt,
    })
    .from(workflowOutbox)
    .where(failedOf(taskQueue))
    .orderBy(asc(workflowOutbox.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, failedAt: r.failedAt?.toISOString() ?? null }));
}

/** Puts failed rows (all, or those named) back in line, due now, with a fresh count of attempts. */
export async function retryFailedRows(db: Db, taskQueue: string, ids?: readonly number[]): Promise<number> {
  const rows = await db
    .update(workflowOutbox)
    .set({ failedAt: null, attempts: 0, nextAttemptAt: sql`now()` })
    .where(and(failedOf(taskQueue), ids ? inArray(workflowOutbox.id, [...ids]) : undefined))
    .returning({ id: workflowOutbox.id });
  return rows.length;
}
