// Signals from the WhatsApp side to account workflows go through the transactional outbox, like the
// API's: written with the rows they announce, delivered right after commit, and by the relay of the
// API processes if Temporal did not take them then.
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { OutboxRelay } from '../../api/outbox/relay';
import type { DbOrTx } from '../../db/client';
import { workflowOutbox } from '../../db/schema';

export type SignalOutbox = Pick<OutboxRelay, 'taskQueue' | 'dispatchNow'>;

export interface AccountSignal {
  workflowId: string;
  name: string;
  arg: unknown;
}

/**
 * Queues the signals in order and returns the rows to deliver after commit. Several signals to one
 * workflow all go inline (queueSignal would leave all but the first to the relay); none do when older
 * rows of that workflow still wait, so the relay keeps the order.
 */
export async function queueSignals(tx: DbOrTx, taskQueue: string, signals: AccountSignal[]): Promise<number[]> {
  if (signals.length === 0) return [];
  const rows = await tx
    .insert(workflowOutbox)
    .values(
      signals.map((s) => ({
        workflowId: s.workflowId,
        taskQueue,
        kind: 'signal' as const,
        signalName: s.name,
        payload: { signalArg: s.arg },
        nextAttemptAt: sql`now() + interval '10 seconds'`,
      })),
    )
    .returning({ id: workflowOutbox.id, workflowId: workflowOutbox.workflowId });
  const deliverable: number[] = [];
  for (const workflowId of new Set(rows.map((r) => r.workflowId))) {
    const ours = rows.filter((r) => r.workflowId === workflowId).map((r) => r.id);
    const older = await tx
      .select({ id: workflowOutbox.id })
      .from(workflowOutbox)
      .where(
        and(
          eq(workflowOutbox.workflowId, workflowId),
          isNull(workflowOutbox.dispatchedAt),
          lt(workflowOutbox.id, Math.min(...ours)),
        ),
      )
      .limit(1);
    if (older.length === 0) deliverable.push(...ours);
  }
  return deliverable.sort((a, b) => a - b);
}
