// Messages to an account workflow that must not be lost: written to the outbox in a transaction,
// then delivered inline (or by the relay), in order with everything else queued for that workflow.
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { workflowOutbox } from '../../db/schema';
import type { OutboxRelay } from '../outbox/relay';

export async function queueSignal(
  tx: DbOrTx,
  taskQueue: string,
  workflowId: string,
  signalName: string,
  signalArg: unknown,
): Promise<number[]> {
  const [row] = await tx
    .insert(workflowOutbox)
    .values({
      workflowId,
      taskQueue,
      kind: 'signal',
      signalName,
      payload: { signalArg },
      nextAttemptAt: sql`now() + interval '10 seconds'`,
    })
    .returning({ id: workflowOutbox.id });
  if (!row) return [];
  const older = await tx
    .select({ id: workflowOutbox.id })
    .from(workflowOutbox)
    .where(
      and(
        eq(workflowOutbox.workflowId, workflowId),
        isNull(workflowOutbox.dispatchedAt),
        lt(workflowOutbox.id, row.id),
      ),
    )
    .limit(1);
  // Inline delivery only when nothing older for this workflow waits; otherwise the relay keeps the order.
  return older.length === 0 ? [row.id] : [];
}

export async function sendSignal(
  db: Db,
  outbox: OutboxRelay,
  workflowId: string,
  signalName: string,
  signalArg: unknown,
): Promise<void> {
  const ids = await db.transaction((tx) => queueSignal(tx, outbox.taskQueue, workflowId, signalName, signalArg));
  await outbox.dispatchNow(ids).catch(() => undefined);
}
