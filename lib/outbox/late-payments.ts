// Payments accepted for an account whose run closed it (paid, written off) before their outbox row reached it.
// The intake booked them while PostgreSQL still had the account open (lib/payments/book.ts: the API, the portal
// and provider webhooks, the bank statements, a debtor's credit paying an invoice), the run ended, and no run
// will take them any more. Nothing accepted is lost: the payment goes to the debtor's open account in its
// currency, whose workflow is signalled like any intake's, or, with none open, becomes the debtor's credit,
// which their next invoice consumes on every intake path (lib/reconcile/credits.ts). The row says which.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, payments, workflowOutbox } from '../../db/schema';
import { paymentReceivedSignal, type PaymentReceivedSignal } from '../../workflows/account.messages';
import { creditPaymentToDebtor } from '../payments/closed-account-credit';
import { lockOpenAccount } from './late-invoices';

export type SettledPayment =
  /** Moved to the debtor's open account; its paymentReceived row is due at once. */
  | { to: 'account'; accountId: string; workflowId: string; outboxId: number }
  | { to: 'credit'; debtorId: string; currency: string; amountMinor: number };

/**
 * Settles the payment of `reference` still on the closed account and neither moved nor credited; null when
 * there is none (another delivery settled it, or the account is open again). `signal`: the row's own
 * argument, so the open account's timeline keeps its source. One transaction: a crash leaves the payment
 * where it was, to settle again.
 */
export async function settlePaymentOffClosedAccount(
  db: Db,
  taskQueue: string,
  closedAccountId: string,
  signal: PaymentReceivedSignal,
): Promise<SettledPayment | null> {
  return db.transaction(async (tx) => {
    const [closed] = await tx
      .select({ debtorId: accounts.debtorId, closedAt: accounts.closedAt })
      .from(accounts)
      .where(eq(accounts.id, closedAccountId))
      .for('update');
    if (!closed || closed.closedAt === null) return null;
    const [payment] = await tx
      .select({
        id: payments.id,
        amountMinor: payments.amountMinor,
        currency: payments.currency,
        creditedAt: payments.creditedAt,
      })
      .from(payments)
      .where(and(eq(payments.accountId, closedAccountId), eq(payments.reference, signal.reference)))
      .for('update');
    if (!payment || payment.creditedAt !== null) return null;

    const open = await lockOpenAccount(tx, closed.debtorId, payment.currency);
    // The open account has a payment of this reference already (reported there too): this one is not taken
    // for it, it becomes credit, so neither is lost.
    const taken =
      open &&
      (await tx
        .select({ id: payments.id })
        .from(payments)
        .where(and(eq(payments.accountId, open.id), eq(payments.reference, signal.reference)))
        .then((r) => r.length > 0));
    if (open && !taken) {
      await tx
        .update(payments)
        .set({ accountId: open.id, movedFromAccountId: closedAccountId })
        .where(eq(payments.id, payment.id));
      const signalArg: PaymentReceivedSignal = { ...signal, amountMinor: payment.amountMinor };
      const [row] = await tx
        .insert(workflowOutbox)
        .values({
          workflowId: open.workflowId,
          taskQueue,
          kind: 'signal',
          signalName: paymentReceivedSignal.name,
          payload: { signalArg },
          nextAttemptAt: sql`now()`,
        })
        .returning({ id: workflowOutbox.id });
      if (!row) throw new Error('outbox insert returned nothing');
      return { to: 'account', accountId: open.id, workflowId: open.workflowId, outboxId: row.id };
    }
    await creditPaymentToDebtor(tx, {
      paymentId: payment.id,
      debtorId: closed.debtorId,
      currency: payment.currency,
      amountMinor: payment.amountMinor,
    });
    return { to: 'credit', debtorId: closed.debtorId, currency: payment.currency, amountMinor: payment.amountMinor };
  });
}
