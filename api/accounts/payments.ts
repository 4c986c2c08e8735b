// Records a reported payment once per (account, reference) and queues it for the account workflow: the
// request's checks here, the booking itself (one statement: payment row and outbox row) in lib/payments/book.ts;
// the caller gets the outbox row back to deliver without reading it again (payments are the hot path).
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { payments } from '../../db/schema';
import { drizzleTag } from '../../db/tag';
import { bookPayment } from '../../lib/payments/book';
import type { OutboxRow } from '../../lib/outbox/relay';
import { conflict, unprocessable } from '../problem';

export interface PaymentInput {
  amountMinor: number;
  currency: string;
  reference: string;
  paidAt: Date;
  /** Where the debtor paid ('portal': a provider's checkout), kept on the timeline entry. */
  source?: string;
}

export interface PaymentAccount {
  id: string;
  currency: string;
  workflowId: string;
  closedAt: Date | null;
}

async function alreadyRecorded(db: Db, accountId: string, reference: string): Promise<boolean> {
  const rows = await db
    .select({ id: payments.id })
    .from(payments)
    .where(and(eq(payments.accountId, accountId), eq(payments.reference, reference)));
  return rows.length > 0;
}

export async function recordPayment(
  db: Db,
  taskQueue: string,
  account: PaymentAccount,
  p: PaymentInput,
): Promise<{ duplicate: boolean; outboxRows: OutboxRow[] }> {
  // Rare paths keep their order: a repeated reference is "nothing changes" before any 409/422.
  if (account.currency !== p.currency) {
    if (await alreadyRecorded(db, account.id, p.reference)) return { duplicate: true, outboxRows: [] };
    throw unprocessable(`The account is in ${account.currency}, the payment in ${p.currency}.`, { field: 'currency' });
  }
  if (account.closedAt) {
    if (await alreadyRecorded(db, account.id, p.reference)) return { duplicate: true, outboxRows: [] };
    throw conflict(`Account ${account.id} is closed; its workflow takes no more payments.`);
  }
  const booked = await bookPayment(drizzleTag(db), taskQueue, account, p);
  return { duplicate: booked.duplicate, outboxRows: booked.outboxRows };
}
