// Booking a payment: the payment row and the account workflow's outbox row in ONE statement, once per
// (account, reference). Every path that takes money in books it here: the API and the portal (through
// api/accounts/payments.ts, which checks the request first), the bank statements and a debtor's credit.
import type { SqlTag } from '../../db/tag';
import { paymentReceivedSignal, type PaymentReceivedSignal } from '../../workflows/account.messages';
import type { OutboxRow } from '../outbox/relay';

export interface PaymentToBook {
  amountMinor: number;
  currency: string;
  reference: string;
  paidAt: Date;
  /** Where the money came from ('portal', 'bank', 'credit'), kept on the timeline entry. */
  source?: string;
}

export interface BookedPayment {
  /** The reference was booked on this account before: nothing was written. */
  duplicate: boolean;
  /** The outbox row to deliver after commit; empty when older rows of the workflow wait (the relay keeps order). */
  outboxRows: OutboxRow[];
  /** The outbox row written, delivered inline or not. */
  outboxId: number | null;
}

export async function bookPayment(
  q: SqlTag,
  taskQueue: string,
  account: { id: string; workflowId: string },
  p: PaymentToBook,
): Promise<BookedPayment> {
  const signalArg: PaymentReceivedSignal = {
    reference: p.reference,
    amountMinor: p.amountMinor,
    currency: p.currency,
    paidAt: p.paidAt.getTime(),
    ...(p.source ? { source: p.source } : {}),
  };
  const payload = { signalArg };
  const rows = await q<{ id: string; older: boolean }>`
    with paid as (
      insert into payments (account_id, reference, amount_minor, currency, paid_at)
      values (${account.id}, ${p.reference}, ${p.amountMinor}, ${p.currency}, ${p.paidAt.toISOString()})
      on conflict do nothing
      returning id),
    queued as (
      insert into workflow_outbox (workflow_id, task_queue, kind, signal_name, payload, next_attempt_at)
      select ${account.workflowId}, ${taskQueue}, 'signal', ${paymentReceivedSignal.name}, ${JSON.stringify(payload)}::jsonb, now() + interval '10 seconds'
      from paid
      returning id)
    select queued.id,
           exists (select 1 from workflow_outbox w
                   where w.workflow_id = ${account.workflowId} and w.dispatched_at is null
                     -- a failed row is out of the line (as in queueSignals and the relay)
                     and w.failed_at is null and w.id < queued.id) as older
    from queued`;
  const row = rows[0];
  if (!row) return { duplicate: true, outboxRows: [], outboxId: null };
  const id = Number(row.id);
  // Delivered inline only when nothing older for this workflow waits; otherwise the relay keeps the order.
  const outboxRows: OutboxRow[] = row.older
    ? []
    : [
        {
          id,
          workflowId: account.workflowId,
          kind: 'signal',
          signalName: paymentReceivedSignal.name,
          payload,
          attempts: 0,
        },
      ];
  return { duplicate: false, outboxRows, outboxId: id };
}
