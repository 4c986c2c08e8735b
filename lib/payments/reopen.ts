// A reversal of the payment that closed an account (`paid`) arrives after its workflow run has ended: the debt
// is owed again, so collection goes on where it stopped. The ended run's final state (its explain query, which
// Temporal answers for closed runs too) is carried into a new run of the same workflow id, with the reversal
// first in its queue: the core reopens the account (timeline `payment_reversed`, `reopened`) and its ledger
// positions continue. Repeating this is harmless: a running workflow just gets the reversal signalled, and the
// core applies a reversal id once.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { workflowOutbox } from '../../db/schema';
import {
  accountExplainQuery,
  accountWorkflowType,
  paymentReversedSignal,
  type AccountWorkflowInput,
  type PaymentReversedSignal,
} from '../../workflows/account.messages';

const QUERY_DEADLINE_MS = 10_000;

export async function reopenWithReversal(
  deps: { db: Db; temporal: Client; taskQueue: string },
  workflowId: string,
  reversal: PaymentReversedSignal,
): Promise<'reopened' | 'signalled'> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  const signal = async () => {
    await handle.signal(paymentReversedSignal, reversal);
    return 'signalled' as const;
  };
  const described = await handle.describe();
  if (described.status.name === 'RUNNING') return signal();
  // The input the account's workflow was first started with (its opening invoice's outbox row).
  const [starter] = await deps.db
    .select({ payload: workflowOutbox.payload })
    .from(workflowOutbox)
    .where(and(eq(workflowOutbox.workflowId, workflowId), eq(workflowOutbox.kind, 'signal_with_start')))
    .orderBy(asc(workflowOutbox.id))
    .limit(1);
  const input = (starter?.payload as { input?: AccountWorkflowInput } | undefined)?.input;
  if (!input) throw new Error(`no start input recorded for ${workflowId}`);
  const snapshot = await deps.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
    handle.query(accountExplainQuery),
  );
  if (!snapshot.context) throw new Error(`${workflowId} ended before loading its strategy`);
  const event = {
    type: 'payment_reversed' as const,
    reference: reversal.reference,
    amountMinor: reversal.amountMinor,
    ...(reversal.reversalId !== undefined ? { reversalId: reversal.reversalId } : {}),
    ...(reversal.source ? { source: reversal.source } : {}),
  };
  const next: AccountWorkflowInput = {
    ...input,
    strategyId: snapshot.strategyId,
    carried: {
      context: snapshot.context,
      strategyId: snapshot.strategyId,
      state: snapshot.state,
      queue: [{ at: Math.floor(Date.now() / 1000) * 1000, event }],
      pendingStrategy: null,
    },
  };
  try {
    await deps.temporal.workflow.start(accountWorkflowType, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [next],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    return 'reopened';
  } catch (err) {
    // Another request reopened it meanwhile: the reversal goes to that run.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return signal();
    throw err;
  }
}
