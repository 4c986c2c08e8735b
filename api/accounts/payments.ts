// Records a reported payment once per (account, reference) and queues it for the account workflow.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, payments } from '../../db/schema';
import { paymentReceivedSignal, type PaymentReceivedSignal } from '../../workflows/account.messages';
import { conflict, notFound, unprocessable } from '../problem';
import { queueSignal } from './signals';

export interface PaymentInput {
  amountMinor: number;
  currency: string;
  reference: string;
  paidAt: Date;
}

export async function recordPayment(db: Db, taskQueue: string, accountId: string, p: PaymentInput): Promise<{ duplicate: boolean; outboxIds: number[] }> {
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
    return { duplicate: false, outboxIds: await queueSignal(tx, taskQueue, account.workflowId, paymentReceivedSignal.name, signalArg) };
  });
}
