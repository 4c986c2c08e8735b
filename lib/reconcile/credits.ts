// A debtor's credit (an over-payment a bank line left, lib/reconcile/apply.ts) pays their next invoices: when an
// invoice is accepted, as much of the credit as it needs becomes a payment on its account (reference
// `credit:<invoice id>`, source 'credit') and a negative debtor_credits entry, in the intake's own transaction.
// Every intake path calls this once per new invoice (api/invoices/ingest.ts, api/imports/bulk-merge.ts):
// (source 'invoice', invoice id) is unique, so an invoice consumes credit once however often it is retried.
import type { SqlTag } from '../../db/tag';
import { bookPayment } from '../payments/book';

export interface AcceptedInvoice {
  invoiceId: string;
  accountId: string;
  workflowId: string;
  debtorId: string;
  currency: string;
  amountMinor: number;
}

export const creditReference = (invoiceId: string) => `credit:${invoiceId}`;

async function creditLeft(q: SqlTag, debtorId: string, currency: string): Promise<number> {
  const [row] = await q<{ left: string }>`
    select coalesce(sum(amount_minor), 0)::text as left from debtor_credits
    where debtor_id = ${debtorId} and currency = ${currency}`;
  return Number(row?.left ?? 0);
}

/**
 * Consumes the debtors' credit for invoices just accepted, in the order given (oldest first is the caller's
 * order); returns the outbox rows written, to deliver after commit with the invoices' own (after them).
 */
export async function consumeDebtorCredit(
  q: SqlTag,
  taskQueue: string,
  accepted: readonly AcceptedInvoice[],
  paidAt: Date = new Date(),
): Promise<number[]> {
  const byPair = new Map<string, AcceptedInvoice[]>();
  for (const inv of accepted) {
    const key = `${inv.debtorId}/${inv.currency}`;
    const list = byPair.get(key);
    if (list) list.push(inv);
    else byPair.set(key, [inv]);
  }
  const outboxIds: number[] = [];
  for (const invs of byPair.values()) {
    const { debtorId, currency } = invs[0]!;
    // The common case (no credit) costs one indexed read and takes no lock.
    if ((await creditLeft(q, debtorId, currency)) <= 0) continue;
    // Two intakes of one debtor (or an intake and a bank line adding credit) take turns: the credit is
    // read again under the lock, so it is never spent twice.
    await q`select pg_advisory_xact_lock(hashtextextended(${`debtor-credit:${debtorId}:${currency}`}, 0))`;
    let left = await creditLeft(q, debtorId, currency);
    for (const inv of invs) {
      const take = Math.min(left, inv.amountMinor);
      if (take <= 0) break;
      const spent = await q<{ id: string }>`
        insert into debtor_credits (debtor_id, currency, amount_minor, source, source_ref)
        values (${debtorId}, ${currency}, ${-take}, 'invoice', ${inv.invoiceId})
        on conflict do nothing
        returning id`;
      if (spent.length === 0) continue;
      const booked = await bookPayment(
        q,
        taskQueue,
        { id: inv.accountId, workflowId: inv.workflowId },
        {
          amountMinor: take,
          currency,
          reference: creditReference(inv.invoiceId),
          paidAt,
          source: 'credit',
        },
      );
      if (booked.outboxId !== null) outboxIds.push(booked.outboxId);
      left -= take;
    }
  }
  return outboxIds;
}
