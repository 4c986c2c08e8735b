// Delivers workflow_outbox rows to Temporal: inline right after the commit that wrote them, and by a
// relay loop for whatever that could not deliver (Temporal down, process crashed). Rows of one workflow
// go out in order, so a payment never reaches a workflow before the invoice it pays.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { and, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { workflowOutbox } from '../../db/schema';
import {
  accountWorkflowType,
  invoiceAddedSignal,
  invoicesAddedSignal,
  type AccountWorkflowInput,
  type InvoiceAddedSignal,
} from '../../workflows/account.messages';

export interface OutboxPayload {
  input?: AccountWorkflowInput;
  signalArg: unknown;
}

/** What delivering a row needs; callers that just wrote one pass it as is instead of reading it back. */
export type OutboxRow = Pick<
  typeof workflowOutbox.$inferSelect,
  'id' | 'workflowId' | 'kind' | 'signalName' | 'payload' | 'attempts'
>;
type Row = OutboxRow;

const CALL_DEADLINE_MS = 5000;
/** Keeps one signal's payload well under Temporal's size limits. */
const MAX_INVOICES_PER_SIGNAL = 500;

export interface OutboxRelay {
  /** The deployment's task queue: rows are written with it and only relays of the same queue deliver them. */
  readonly taskQueue: string;
  /** Best effort, right after commit; failures stay in the table for the loop. */
  dispatchNow(ids: number[]): Promise<void>;
  /** The same for rows the caller has in hand (the payment path: no read-back). */
  dispatchRows(rows: OutboxRow[]): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  /** One pass of the loop; returns how many rows were delivered. */
  drain(): Promise<number>;
}

export function createOutboxRelay(deps: {
  db: Db;
  temporal: Client;
  taskQueue: string;
  log: { warn(obj: object, msg: string): void };
  intervalMs?: number;
  inlineBudgetMs?: number;
}): OutboxRelay {
  const { db } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const inflight = new Set<Promise<unknown>>();

  function send(row: Row, signalName: string, signalArg: unknown): Promise<unknown> {
    if (row.kind === 'signal') return deps.temporal.workflow.getHandle(row.workflowId).signal(signalName, signalArg);
    const payload = row.payload as OutboxPayload;
    if (!payload.input) throw new Error('signal_with_start row without input');
    return deps.temporal.workflow.signalWithStart(accountWorkflowType, {
      workflowId: row.workflowId,
      taskQueue: deps.taskQueue,
      args: [payload.input],
      signal: signalName,
      signalArgs: [signalArg],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  }

  /** One signal for the rows: a run of invoices of one workflow goes as one invoicesAdded (decided as one). */
  function sendAll(rows: readonly Row[]): Promise<unknown> {
    const [first] = rows;
    if (!first) return Promise.resolve();
    if (rows.length === 1) return send(first, first.signalName, (first.payload as OutboxPayload).signalArg);
    const invoices = rows.map((r) => (r.payload as OutboxPayload).signalArg as InvoiceAddedSignal);
    // Starting the account if need be: a signal-with-start of a running workflow only signals it.
    const starter = rows.find((r) => r.kind === 'signal_with_start') ?? first;
    return send(starter, invoicesAddedSignal.name, { invoices });
  }

  // Inline deliveries are marked in batches, off the request's path. A crash before the flush only
  // means the relay delivers the row again later; every workflow message is idempotent.
  let toMark: number[] = [];
  let markTimer: NodeJS.Timeout | undefined;
  let marking: Promise<unknown> = Promise.resolve();
  function flushMarks(): Promise<unknown> {
    markTimer = undefined;
    const ids = toMark;
    toMark = [];
    if (ids.length === 0) return marking;
    marking = marking
      .then(() =>
        db
          .update(workflowOutbox)
          .set({ dispatchedAt: new Date(), lastError: null })
          .where(inArray(workflowOutbox.id, ids)),
      )
      .catch((err: unknown) =>
        deps.log.warn(
          { err: (err as Error).message },
          'could not mark outbox rows delivered; the relay will deliver them again',
        ),
      );
    return marking;
  }
  function markLater(id: number): void {
    toMark.push(id);
    if (toMark.length >= 200) void flushMarks();
    else markTimer ??= setTimeout(() => void flushMarks(), 20);
  }

  // Rows locked by the relay's transaction must be updated through it, or the update waits on its own lock.
  async function deliver(rows: readonly Row[], exec: DbOrTx | 'batched'): Promise<void> {
    const ids = rows.map((r) => r.id);
    try {
      // Bounded calls: the SDK would otherwise keep retrying an unreachable server for a long time.
      await deps.temporal.withDeadline(Date.now() + CALL_DEADLINE_MS, () => sendAll(rows));
      if (exec === 'batched') for (const id of ids) markLater(id);
      else
        await exec
          .update(workflowOutbox)
          .set({ dispatchedAt: new Date(), lastError: null })
          .where(inArray(workflowOutbox.id, ids));
    } catch (err) {
      // A closed workflow will never take the message: record why and stop retrying.
      const final = err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError;
      const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
      await (exec === 'batched' ? db : exec)
        .update(workflowOutbox)
        .set({
          attempts,
          lastError: (err as Error).message.slice(0, 500),
          dispatchedAt: final ? new Date() : null,
          nextAttemptAt: sql`now() + make_interval(secs => least(60, power(2, ${attempts})))`,
        })
        .where(inArray(workflowOutbox.id, ids));
      if (!final) throw err;
    }
  }

  /**
   * A workflow's rows in order, consecutive invoices taken together (a batch or an import chunk opens
   * the account with all of its invoices at once, so the first decision already knows every one).
   */
  function deliveries(list: Row[]): Row[][] {
    const out: Row[][] = [];
    for (const row of list.sort((a, b) => a.id - b.id)) {
      const last = out.at(-1);
      const joins =
        last !== undefined &&
        last.length < MAX_INVOICES_PER_SIGNAL &&
        row.signalName === invoiceAddedSignal.name &&
        last[0]?.signalName === invoiceAddedSignal.name;
      if (joins) last.push(row);
      else out.push([row]);
    }
    return out;
  }

  async function deliverInOrder(rows: Row[], exec: DbOrTx | 'batched'): Promise<number> {
    const byWorkflow = new Map<string, Row[]>();
    for (const row of rows) byWorkflow.set(row.workflowId, [...(byWorkflow.get(row.workflowId) ?? []), row]);
    let delivered = 0;
    await Promise.all(
      [...byWorkflow.values()].map(async (list) => {
        for (const batch of deliveries(list)) {
          try {
            await deliver(batch, exec);
            delivered += batch.length;
          } catch {
            return; // later rows of this workflow wait for these
          }
        }
      }),
    );
    return delivered;
  }

  async function drain(): Promise<number> {
    return db.transaction(async (tx) => {
      const rows = await tx.execute<Row>(sql`
        select id, workflow_id as "workflowId", kind, signal_name as "signalName", payload, attempts,
               last_error as "lastError", created_at as "createdAt", next_attempt_at as "nextAttemptAt", dispatched_at as "dispatchedAt"
        from workflow_outbox o
        where dispatched_at is null and task_queue = ${deps.taskQueue} and next_attempt_at <= now()
          and not exists (select 1 from workflow_outbox p where p.workflow_id = o.workflow_id and p.dispatched_at is null and p.id < o.id and p.next_attempt_at > now())
        order by id limit 500
        for update skip locked`);
      return deliverInOrder([...rows], tx);
    });
  }

  // A request never waits long on Temporal: what is not delivered in time stays for the relay.
  async function deliverInline(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    let budgetTimer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      budgetTimer = setTimeout(resolve, deps.inlineBudgetMs ?? 2000);
    });
    const work = deliverInOrder(rows, 'batched').catch(() => 0);
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
    await Promise.race([work, budget]).finally(() => clearTimeout(budgetTimer));
  }

  return {
    taskQueue: deps.taskQueue,
    async dispatchNow(ids) {
      if (ids.length === 0) return;
      const rows = await db
        .select()
        .from(workflowOutbox)
        .where(and(inArray(workflowOutbox.id, ids), isNull(workflowOutbox.dispatchedAt)));
      await deliverInline(rows);
    },
    dispatchRows: deliverInline,
    drain,
    start() {
      const tick = () => {
        if (stopped) return;
        running = drain()
          .catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'outbox relay pass failed'))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, deps.intervalMs ?? 1000);
          });
      };
      timer = setTimeout(tick, deps.intervalMs ?? 1000);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      // Inline deliveries still running past their request's budget finish (or hit their deadline) first.
      await Promise.all([...inflight]);
      if (markTimer) clearTimeout(markTimer);
      await flushMarks();
    },
  };
}
