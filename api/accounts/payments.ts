// Records a reported payment once per (account, reference) and queues it for the account workflow.
// The common path is one SQL statement: the payment row and its outbox row commit together, and the
// caller gets the outbox row back to deliver without reading it again (payments are the hot path).
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { payments } from '../../db/schema';
import { paymentReceivedSignal, type PaymentReceivedSignal } from '../../workflows/account.messages';
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
  const signalArg: PaymentReceivedSignal = {
    reference: p.reference,
    amountMinor: p.amountMinor,
    currency: p.currency,
    paidAt: p.paidAt.getTime(),
    ...(p.source ? { source: p.source } : {}),
  };
  const payload = { signalArg };
  const rows = await db.execute<{ id: string; older: boolean }>(sql`
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
                   where w.workflow_id = ${account.workflowId} and w.dispatched_at is null and w.id < queued.id) as older
    from queued`);
  const row = rows[0];
  if (!row) return { duplicate: true, outboxRows: [] };
  // Delivered inline only when nothing older for this workflow waits; otherwise the relay keeps the order.
  const outboxRows: OutboxRow[] = row.older
    ? []
    : [
        {
          id: Number(row.id),
          workflowId: account.workflowId,
          kind: 'signal',
          signalName: paymentReceivedSignal.name,
          payload,
          attempts: 0,
        },
      ];
  return { duplicate: false, outboxRows };
}
