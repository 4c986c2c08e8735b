// Records a reported payment once per (account, reference) and queues it for the account workflow.
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, payments, workflowOutbox } from '../../db/schema';
import { paymentReceivedSignal, type PaymentReceivedSignal } from '../../workflows/account.messages';
import { conflict, notFound, unprocessable } from '../problem';
import type { OutboxPayload } from '../outbox/relay';

export interface PaymentInput {
  amountMinor: number;
  currency: string;
  reference: string;
  paidAt: Date;
}

export async function recordPayment(db: Db, accountId: string, p: PaymentInput): Promise<{ duplicate: boolean; outboxIds: number[] }> {
  return db.transaction(async (tx) => {
    const [account] = await tx
      .select({ id: accounts.id, currency: accounts.currency, workflowId: accounts.workflowId, closedAt: accounts.closedAt })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    if (!account) throw notFound(`Account ${accountId}`);
    const inserted = await tx
      .insert(payments)
      .values({ accountId, reference: p.reference, amountMinor: p.amountMinor, currency: p.currency, paidAt: p.paidAt })
      .onConflictDoNothing()
      .returning({ id: payments.id });
    if (inserted.length === 0) return { duplicate: true, outboxIds: [] };
    if (account.currency !== p.currency) throw unprocessable(`The account is in ${account.currency}, the payment in ${p.currency}.`, { field: 'currency' });
    if (account.closedAt) throw conflict(`Account ${accountId} is closed; its workflow takes no more payments.`);

    const signalArg: PaymentReceivedSignal = { reference: p.reference, amountMinor: p.amountMinor, currency: p.currency, paidAt: p.paidAt.getTime() };
    const payload: OutboxPayload = { signalArg };
    const [row] = await tx
      .insert(workflowOutbox)
      .values({
        workflowId: account.workflowId,
        kind: 'signal',
        signalName: paymentReceivedSignal.name,
        payload,
        nextAttemptAt: sql`now() + interval '10 seconds'`,
      })
      .returning({ id: workflowOutbox.id });
    // Delivered inline only when nothing older for this workflow is still waiting (order matters).
    const older = await tx
      .select({ id: workflowOutbox.id })
      .from(workflowOutbox)
      .where(and(eq(workflowOutbox.workflowId, account.workflowId), isNull(workflowOutbox.dispatchedAt), lt(workflowOutbox.id, row?.id ?? 0)))
      .limit(1);
    return { duplicate: false, outboxIds: row && older.length === 0 ? [row.id] : [] };
  });
}
