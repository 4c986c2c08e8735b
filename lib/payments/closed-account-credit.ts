// Payments a run counted after it had closed its account (paid, written off): the signal reached the run while
// it was closing, so the run took it, but nothing is owed there any more and the core keeps the money as the
// account's credit, which no later invoice of the debtor reaches (they open the debtor's next account). So the
// run hands it to the debtor: a debtor_credits entry (source 'payment', source_ref the payment's id) that their
// next invoice consumes at intake (lib/reconcile/credits.ts), and the payment row, still on its account, says
// so with credited_at, as a payment no run took does (lib/outbox/late-payments.ts).
import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { accounts, debtorCredits, payments } from '../../db/schema';

export interface ClosedAccountCredit {
  /** The payment's reference on the account. */
  reference: string;
  /** What of it the run kept as credit (integer minor units). */
  amountMinor: number;
}

/**
 * In the caller's transaction (the payment row locked): `amountMinor` of the payment becomes the debtor's credit
 * in `currency` (source 'payment', source_ref the payment's id, once) and the payment row says so (credited_at).
 */
export async function creditPaymentToDebtor(
  tx: DbOrTx,
  c: { paymentId: string; debtorId: string; currency: string; amountMinor: number },
): Promise<void> {
  await tx
    .insert(debtorCredits)
    .values({
      debtorId: c.debtorId,
      currency: c.currency,
      amountMinor: c.amountMinor,
      source: 'payment',
      sourceRef: c.paymentId,
    })
    .onConflictDoNothing();
  await tx
    .update(payments)
    .set({ creditedAt: sql`now()` })
    .where(eq(payments.id, c.paymentId));
}

/**
 * Makes each payment's credit the debtor's, once: a payment already credited (a retried activity, or the late
 * path got there first) or with no row on the account is left alone. Returns the references credited now.
 */
export async function creditClosedAccountPayments(
  db: Db,
  accountId: string,
  credits: readonly ClosedAccountCredit[],
): Promise<string[]> {
  return db.transaction(async (tx) => {
    const [account] = await tx
      .select({ debtorId: accounts.debtorId, currency: accounts.currency })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for('update');
    if (!account) return [];
    const credited: string[] = [];
    for (const credit of credits) {
      if (!Number.isSafeInteger(credit.amountMinor) || credit.amountMinor <= 0) continue;
      const [payment] = await tx
        .select({ id: payments.id, creditedAt: payments.creditedAt })
        .from(payments)
        .where(and(eq(payments.accountId, accountId), eq(payments.reference, credit.reference)))
        .for('update');
      if (!payment || payment.creditedAt !== null) continue;
      await creditPaymentToDebtor(tx, {
        paymentId: payment.id,
        debtorId: account.debtorId,
        currency: account.currency,
        amountMinor: credit.amountMinor,
      });
      credited.push(credit.reference);
    }
    return credited;
  });
}
