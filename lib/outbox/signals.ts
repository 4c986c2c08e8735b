// Messages to an account workflow that must not be lost: written to the outbox in the transaction of the
// rows they announce, then delivered inline right after commit (or by the relay), in order with
// everything else queued for that workflow. Each is typed by its Temporal signal definition.
import type { SignalDefinition } from '@temporalio/common';
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { workflowOutbox } from '../../db/schema';
import type { OutboxRelay } from './relay';

/** What writing and delivering a signal needs of the relay. */
export type SignalOutbox = Pick<OutboxRelay, 'taskQueue' | 'dispatchNow'>;

/** One signal to one workflow, built with signalTo so its argument matches the definition. */
export interface AccountSignal {
  readonly workflowId: string;
  readonly name: string;
  readonly arg: unknown;
}

export function signalTo<A>(workflowId: string, signal: SignalDefinition<[A]>, arg: NoInfer<A>): AccountSignal {
  return { workflowId, name: signal.name, arg };
}

/**
 * Queues the signals in order and returns the rows to deliver after commit. Several signals to one
 * workflow all go inline; none do when older rows of that workflow still wait, so the relay keeps the order.
 */
export async function queueSignals(
  tx: DbOrTx,
  taskQueue: string,
  signals: readonly AccountSignal[],
): Promise<number[]> {
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
        // The relay leaves fresh rows to the inline path for this long before it takes them over.
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
          // A failed row is out of the line: it no longer holds later messages back.
          isNull(workflowOutbox.failedAt),
          lt(workflowOutbox.id, Math.min(...ours)),
        ),
      )
      .limit(1);
    if (older.length === 0) deliverable.push(...ours);
  }
  return deliverable.sort((a, b) => a - b);
}

/** One signal, e.g. `queueSignal(tx, outbox.taskQueue, workflowId, optedOutSignal, { channel })`. */
export function queueSignal<A>(
  tx: DbOrTx,
  taskQueue: string,
  workflowId: string,
  signal: SignalDefinition<[A]>,
  arg: NoInfer<A>,
): Promise<number[]> {
  return queueSignals(tx, taskQueue, [signalTo(workflowId, signal, arg)]);
}

/** Signals in a transaction of their own, delivered right after commit. */
export async function sendSignals(db: Db, outbox: SignalOutbox, signals: readonly AccountSignal[]): Promise<void> {
  const ids = await db.transaction((tx) => queueSignals(tx, outbox.taskQueue, signals));
  await outbox.dispatchNow(ids).catch(() => undefined);
}

export function sendSignal<A>(
  db: Db,
  outbox: SignalOutbox,
  workflowId: string,
  signal: SignalDefinition<[A]>,
  arg: NoInfer<A>,
): Promise<void> {
  return sendSignals(db, outbox, [signalTo(workflowId, signal, arg)]);
}
