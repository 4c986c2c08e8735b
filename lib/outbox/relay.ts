// Delivers workflow_outbox rows to Temporal: inline right after the commit that wrote them, and by a
// relay loop for whatever that could not deliver (Temporal down, process crashed). Rows of one workflow
// go out in order, so a payment never reaches a workflow before the invoice it pays.
import {
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Db, DbOrTx } from '../../db/client';
import { accounts, invoices, paymentReversals, payments, workflowOutbox } from '../../db/schema';
import {
  accountExplainQuery,
  accountWorkflowType,
  invoiceAddedSignal,
  invoicesAddedSignal,
  paymentReceivedSignal,
  paymentReversedSignal,
  type AccountWorkflowInput,
  type InvoiceAddedSignal,
  type PaymentReceivedSignal,
} from '../../workflows/account.messages';
import { moveInvoicesOffClosedAccount } from './late-invoices';
import { settlePaymentOffClosedAccount } from './late-payments';

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
/**
 * Calls to Temporal in flight at once per client, inline and relay together: a backlog released at once
 * (Temporal back after an outage, a 1,000-invoice batch) queues here instead of racing the call deadline.
 */
export const MAX_DELIVERIES_IN_FLIGHT = 24;
/** An error that is neither "Temporal unreachable" nor "no workflow" fails the row after this many tries. */
export const MAX_PERMANENT_ATTEMPTS = 6;
const DRAIN_BATCH = 500;
/** How often the relay asks an unreachable Temporal whether it is back, and how long it waits for the answer. */
const PROBE_EVERY_MS = 250;
const PROBE_DEADLINE_MS = 1000;
/** After a delivery Temporal did not answer, inline deliveries leave their rows to the relay for this long. */
const INLINE_PAUSE_MS = 1000;
/**
 * Deliveries queued for a Temporal client past which inline deliveries leave their rows to the relay: a
 * million-line import hands over far more than Temporal starts per second, and its rows must wait in
 * PostgreSQL (read 500 at a time by the relay), not in this process's memory.
 */
export const MAX_INLINE_BACKLOG = 2000;
/** Calls to Temporal per second per client when the deployment does not say (OUTBOX_RATE_PER_SECOND). */
export const DEFAULT_RATE_PER_SECOND = 1000;

/**
 * Spaces calls at most `perSecond` a second (a burst of a tenth of a second's worth may go at once);
 * 0 or less: no limit. Calls wait their turn in order.
 */
export function rateGate(perSecond: number, now: () => number = Date.now): () => Promise<void> {
  if (!(perSecond > 0)) return () => Promise.resolve();
  const spacing = 1000 / perSecond;
  const burst = Math.max(0, Math.floor(perSecond / 10) - 1) * spacing;
  let nextAt = 0;
  return () => {
    const t = now();
    nextAt = Math.max(nextAt, t - burst) + spacing;
    const wait = nextAt - spacing - t;
    return wait <= 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, wait));
  };
}

/**
 * Why a delivery failed: Temporal did not answer (retry soon), no workflow can take the message (the row
 * fails, visibly), or anything else (retry later, then fail).
 */
export type FailureKind = 'unavailable' | 'closed' | 'permanent';

const TRANSIENT_GRPC = new Set([1, 4, 8, 10, 14]); // cancelled, deadline exceeded, exhausted, aborted, unavailable

export function failureKind(err: unknown): FailureKind {
  if (err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError) return 'closed';
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    if (isGrpcServiceError(e)) return TRANSIENT_GRPC.has(e.code) ? 'unavailable' : 'permanent';
  }
  return 'permanent';
}

/** Seconds until a row is tried again after `attempts` failures of this kind (with jitter, so rows spread). */
export function retryDelaySeconds(kind: FailureKind, attempts: number, random = Math.random()): number {
  const jitter = 0.5 + random / 2;
  if (kind === 'unavailable') return Math.min(5, 0.25 * 2 ** attempts) * jitter;
  return Math.min(600, 5 * 2 ** attempts) * jitter;
}

/** The invoices a delivery carries (invoiceAdded rows, or one invoicesAdded row); none for other signals. */
function invoicesOf(rows: readonly Row[]): InvoiceAddedSignal[] {
  return rows.flatMap((r) => {
    const arg = (r.payload as OutboxPayload).signalArg;
    if (r.signalName === invoiceAddedSignal.name) return [arg as InvoiceAddedSignal];
    if (r.signalName === invoicesAddedSignal.name) return (arg as { invoices: InvoiceAddedSignal[] }).invoices;
    return [];
  });
}

/** The payments a delivery carries (a paymentReceived row); none for other signals. */
function paymentsOf(rows: readonly Row[]): PaymentReceivedSignal[] {
  return rows.flatMap((r) =>
    r.signalName === paymentReceivedSignal.name
      ? [(r.payload as OutboxPayload).signalArg as PaymentReceivedSignal]
      : [],
  );
}

class AccountClosedError extends Error {
  constructor() {
    super('the account is closed; its workflow takes no more messages');
  }
}

/** Per Temporal client: the limit on calls in flight and whether Temporal was last seen unreachable. */
interface ClientState {
  limit: LimitFunction;
  /** Waits for the call's turn under the deployment's rate (OUTBOX_RATE_PER_SECOND). */
  turn: () => Promise<void>;
  /** Set by a delivery Temporal did not answer, cleared by one it took or by the relay's probe. */
  unreachable: boolean;
  lastUnreachableAt: number;
}
const clientStates = new WeakMap<Client, ClientState>();
function stateOf(client: Client, ratePerSecond: number): ClientState {
  let state = clientStates.get(client);
  if (!state)
    clientStates.set(
      client,
      (state = {
        limit: pLimit(MAX_DELIVERIES_IN_FLIGHT),
        turn: rateGate(ratePerSecond),
        unreachable: false,
        lastUnreachableAt: 0,
      }),
    );
  return state;
}

export interface OutboxRelay {
  /** The deployment's task queue: rows are written with it and only relays of the same queue deliver them. */
  readonly taskQueue: string;
  /**
   * Best effort, right after commit; failures stay in the table for the loop. Waits for the deliveries up
   * to the inline budget, or `waitMs` (0: only until they are queued; an import does not wait on Temporal).
   */
  dispatchNow(ids: number[], opts?: { waitMs?: number }): Promise<void>;
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
  /** Calls to Temporal per second, inline and relay together (the first relay of a client sets it). */
  ratePerSecond?: number;
}): OutboxRelay {
  const { db } = deps;
  const shared = stateOf(deps.temporal, deps.ratePerSecond ?? DEFAULT_RATE_PER_SECOND);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const inflight = new Set<Promise<unknown>>();
  /** Rows this process has queued inline: the relay's passes leave them to that delivery (no double send). */
  const queuedInline = new Set<number>();

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

  /**
   * The account's workflow has a closed run: when it failed (or was terminated) and the account is open in
   * PostgreSQL, a new run starts knowing every invoice and payment of the account, not just this message.
   * When the run closed the account (paid, written off), invoices it never took go to the debtor's next
   * account (takeLate). Anything else for a closed account refuses (the row then fails, visibly).
   */
  async function startAgain(rows: readonly Row[]): Promise<void> {
    const starter = rows.find((r) => r.kind === 'signal_with_start');
    const input = (starter?.payload as OutboxPayload | undefined)?.input;
    if (!starter || !input) throw new Error('no workflow run takes signals and the row cannot start one');
    const [account] = await db
      .select({ id: accounts.id, closedAt: accounts.closedAt })
      .from(accounts)
      .where(eq(accounts.workflowId, starter.workflowId));
    if (!account) throw new AccountClosedError();
    if (account.closedAt) return takeLate(starter.workflowId, account.id, rows, input);
    const known = await db
      .select({
        invoiceId: invoices.id,
        externalId: invoices.externalId,
        amountMinor: invoices.amountMinor,
        currency: invoices.currency,
        dueDate: invoices.dueDate,
      })
      .from(invoices)
      .where(eq(invoices.accountId, account.id))
      .orderBy(asc(invoices.createdAt));
    const paid = await db
      .select({
        reference: payments.reference,
        amountMinor: payments.amountMinor,
        currency: payments.currency,
        paidAt: payments.paidAt,
      })
      .from(payments)
      .where(eq(payments.accountId, account.id));
    const handle = await deps.temporal.workflow.signalWithStart(accountWorkflowType, {
      workflowId: starter.workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      signal: invoicesAddedSignal.name,
      signalArgs: [{ invoices: known }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
    for (const p of paid) await handle.signal(paymentReceivedSignal, { ...p, paidAt: p.paidAt.getTime() });
    // Refunds and chargebacks after the payments they reverse (the core applies each reversal id once).
    const reversed = await db
      .select({
        reference: paymentReversals.reference,
        amountMinor: paymentReversals.amountMinor,
        reversalId: paymentReversals.reversalId,
        source: paymentReversals.source,
      })
      .from(paymentReversals)
      .where(eq(paymentReversals.accountId, account.id))
      .orderBy(asc(paymentReversals.createdAt));
    for (const r of reversed) {
      await handle.signal(paymentReversedSignal, {
        reference: r.reference,
        amountMinor: r.amountMinor,
        reversalId: r.reversalId,
        ...(r.source === 'portal' ? { source: 'portal' } : {}),
      });
    }
  }

  /**
   * A signal (not a start) no run takes: when it carries a payment for an account whose run closed it, the
   * payment is taken as takeLate says; otherwise the delivery fails as it did (`err`).
   */
  async function signalAfterClose(rows: readonly Row[], err: unknown): Promise<void> {
    const workflowId = rows[0]?.workflowId;
    if (!workflowId || paymentsOf(rows).length === 0) throw err;
    const [account] = await db
      .select({ id: accounts.id, closedAt: accounts.closedAt })
      .from(accounts)
      .where(eq(accounts.workflowId, workflowId));
    if (!account?.closedAt) throw err;
    return takeLate(workflowId, account.id, rows, undefined);
  }

  /**
   * Invoices and payments accepted for an account while its run was closing it, delivered after the run
   * ended. The ended run is asked what it counted (it may know some: a delivery repeated because its mark
   * was lost, a run started again with every invoice), and only the others are taken: invoices move to the
   * debtor's open or next account, payments to the debtor's open account or their credit; the rows those
   * write the relay's next pass delivers. The rows here are then done.
   */
  async function takeLate(
    workflowId: string,
    accountId: string,
    rows: readonly Row[],
    input: AccountWorkflowInput | undefined,
  ): Promise<void> {
    const late = invoicesOf(rows);
    const paid = paymentsOf(rows);
    if ((late.length > 0 && !input) || (late.length === 0 && paid.length === 0)) throw new AccountClosedError();
    const closedRun = await deps.temporal.workflow.getHandle(workflowId).query(accountExplainQuery);
    const knownInvoices = new Set(closedRun.state.invoices.map((i) => i.externalId));
    const knownPayments = new Set(closedRun.state.paymentRefs);
    const unknown = late.filter((i) => !knownInvoices.has(i.externalId)).map((i) => i.invoiceId);
    if (input && unknown.length > 0) {
      const moved = await moveInvoicesOffClosedAccount(db, deps.taskQueue, accountId, unknown, input.debtor);
      if (moved)
        deps.log.warn(
          { workflowId, from: accountId, to: moved.accountId, invoices: moved.invoices },
          'invoices for an account its run had closed moved to the debtor’s open account',
        );
    }
    for (const payment of paid.filter((p) => !knownPayments.has(p.reference))) {
      const settled = await settlePaymentOffClosedAccount(db, deps.taskQueue, accountId, payment);
      if (settled)
        deps.log.warn(
          { workflowId, from: accountId, ...(settled.to === 'account' ? { to: settled.accountId } : { to: 'credit' }) },
          settled.to === 'account'
            ? 'a payment for an account its run had closed moved to the debtor’s open account'
            : 'a payment for an account its run had closed became the debtor’s credit',
        );
    }
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

  const call = <T>(fn: () => Promise<T>) =>
    // The deadline starts when the call does, not while it waits for its turn.
    shared.limit(async () => {
      await shared.turn();
      return deps.temporal.withDeadline(Date.now() + CALL_DEADLINE_MS, fn);
    });

  /**
   * Delivers one batch; true when a workflow took it. A row no workflow can take fails (and the workflow's
   * later rows go on); a row Temporal did not answer for stays pending and holds the later ones back.
   */
  // Rows locked by the relay's transaction must be updated through it, or the update waits on its own lock.
  async function deliver(rows: readonly Row[], exec: DbOrTx | 'batched'): Promise<boolean> {
    const ids = rows.map((r) => r.id);
    let kind: FailureKind;
    let error: unknown;
    try {
      try {
        await call(() => sendAll(rows));
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) await call(() => startAgain(rows));
        else if (err instanceof WorkflowNotFoundError) await call(() => signalAfterClose(rows, err));
        else throw err;
      }
      shared.unreachable = false;
      if (exec === 'batched') for (const id of ids) markLater(id);
      else
        await exec
          .update(workflowOutbox)
          .set({ dispatchedAt: new Date(), lastError: null })
          .where(inArray(workflowOutbox.id, ids));
      return true;
    } catch (err) {
      error = err;
      kind = err instanceof AccountClosedError ? 'closed' : failureKind(err);
    }
    if (kind === 'unavailable') {
      shared.unreachable = true;
      shared.lastUnreachableAt = Date.now();
    }
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    const failed = kind === 'closed' || (kind === 'permanent' && attempts >= MAX_PERMANENT_ATTEMPTS);
    await (exec === 'batched' ? db : exec)
      .update(workflowOutbox)
      .set({
        attempts,
        lastError: `${kind}: ${(error as Error).message}`.slice(0, 500),
        failedAt: failed ? new Date() : null,
        nextAttemptAt: sql`now() + make_interval(secs => ${retryDelaySeconds(kind, attempts)})`,
      })
      .where(inArray(workflowOutbox.id, ids));
    if (failed) {
      deps.log.warn({ workflowId: rows[0]?.workflowId, rows: ids.length, kind }, 'outbox rows failed');
      return false;
    }
    throw error;
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
            if (await deliver(batch, exec)) delivered += batch.length;
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
      const found = await tx.execute<Row>(sql`
        select id, workflow_id as "workflowId", kind, signal_name as "signalName", payload, attempts,
               last_error as "lastError", created_at as "createdAt", next_attempt_at as "nextAttemptAt", dispatched_at as "dispatchedAt"
        from workflow_outbox o
        where dispatched_at is null and failed_at is null and task_queue = ${deps.taskQueue} and next_attempt_at <= now()
          and not exists (select 1 from workflow_outbox p where p.workflow_id = o.workflow_id and p.dispatched_at is null
                          and p.failed_at is null and p.id < o.id and p.next_attempt_at > now())
        order by id limit ${DRAIN_BATCH}
        for update skip locked`);
      // The driver reads a bigint as a string: ids are numbers here, as the inline path holds them.
      const rows = found.map((r) => ({ ...r, id: Number(r.id) }));
      // A workflow with a row still queued inline here waits whole: its later rows must not overtake it.
      const waiting = new Set(rows.filter((r) => queuedInline.has(r.id)).map((r) => r.workflowId));
      return deliverInOrder(
        [...rows].filter((r) => !waiting.has(r.workflowId)),
        tx,
      );
    });
  }

  /**
   * While Temporal is unreachable a pass only probes it (one cheap call, not hundreds of deliveries into
   * their deadlines); once it answers, every row waiting out a backoff is due at once, and delivered
   * MAX_DELIVERIES_IN_FLIGHT at a time.
   */
  async function pass(): Promise<number> {
    if (shared.unreachable) {
      const answers = await deps.temporal
        .withDeadline(Date.now() + PROBE_DEADLINE_MS, () => deps.temporal.workflowService.getSystemInfo({}))
        .then(
          () => true,
          () => false,
        );
      if (!answers) return 0;
      shared.unreachable = false;
      await db.execute(sql`
        update workflow_outbox set next_attempt_at = now()
        where task_queue = ${deps.taskQueue} and dispatched_at is null and failed_at is null
          and next_attempt_at > now() and (attempts > 0 or created_at < now() - interval '2 seconds')`);
    }
    return drain();
  }

  // A request never waits long on Temporal: what is not delivered in time stays for the relay.
  async function deliverInline(rows: Row[], waitMs = deps.inlineBudgetMs ?? 2000): Promise<void> {
    if (rows.length === 0) return;
    // Temporal did not answer a moment ago: the relay's probe notices its return and delivers these then.
    if (shared.unreachable && Date.now() - shared.lastUnreachableAt < INLINE_PAUSE_MS) return;
    // Enough is queued already: these wait in the table for the relay (after their grace).
    if (shared.limit.pendingCount >= MAX_INLINE_BACKLOG) return;
    let budgetTimer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      budgetTimer = setTimeout(resolve, waitMs);
    });
    for (const row of rows) queuedInline.add(row.id);
    const work = deliverInOrder(rows, 'batched').catch(() => 0);
    inflight.add(work);
    void work.finally(() => {
      inflight.delete(work);
      for (const row of rows) queuedInline.delete(row.id);
    });
    await Promise.race([work, budget]).finally(() => clearTimeout(budgetTimer));
  }

  return {
    taskQueue: deps.taskQueue,
    async dispatchNow(ids, opts) {
      if (ids.length === 0) return;
      if (shared.limit.pendingCount >= MAX_INLINE_BACKLOG) return;
      const rows = await db
        .select()
        .from(workflowOutbox)
        .where(and(inArray(workflowOutbox.id, ids), isNull(workflowOutbox.dispatchedAt)));
      await deliverInline(rows, opts?.waitMs);
    },
    dispatchRows: (rows) => deliverInline(rows),
    drain,
    start() {
      const interval = deps.intervalMs ?? 1000;
      const tick = () => {
        if (stopped) return;
        let next = interval;
        running = pass()
          .then((delivered) => {
            // A full pass: more are waiting. Temporal unreachable: probe again soon.
            if (delivered >= DRAIN_BATCH) next = 0;
            else if (shared.unreachable) next = Math.min(interval, PROBE_EVERY_MS);
          })
          .catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'outbox relay pass failed'))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, next);
          });
      };
      timer = setTimeout(tick, interval);
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
