// Reversals of booked payments (refunds, chargebacks, an ERP's correction): booked once per (account, reversal
// id), never above what is left of the payment, and queued for the account workflow in the same transaction
// (engine event `payment_reversed`: the balance goes back up).
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { paymentReversals, payments } from '../../db/schema';
import { paymentReversedSignal } from '../../workflows/account.messages';
import { queueSignal } from '../outbox/signals';

export interface ReversalAccount {
  id: string;
  currency: string;
  workflowId: string;
  closedAt: Date | null;
}

export interface ReversalInput {
  reference: string;
  /** The provider's refund or dispute id, or the caller's own: the same id is booked once. */
  reversalId: string;
  /** Unset: all that is left of the payment. */
  amountMinor?: number;
  source: 'portal' | 'api';
  reason?: string;
  /** Refuse (above_payment) instead of capping an amount above what is left: an ERP asks for exact amounts. */
  exact?: boolean;
}

export type ReversalResult =
  | { status: 'reversed'; amountMinor: number; outboxIds: number[] }
  | { status: 'duplicate'; amountMinor: number }
  | { status: 'unknown_payment' }
  | { status: 'nothing_left' }
  /** Only with `exact`: the amount asked is more than what is left of the payment. */
  | { status: 'above_payment'; leftMinor: number }
  /** Booked, but the account's workflow has ended (closed): its balance is not collected again by itself. */
  | { status: 'account_closed'; amountMinor: number };

export async function recordReversal(
  db: Db,
  taskQueue: string,
  account: ReversalAccount,
  r: ReversalInput,
): Promise<ReversalResult> {
  return db.transaction(async (tx) => {
    const [payment] = await tx
      .select({ amountMinor: payments.amountMinor })
      .from(payments)
      .where(and(eq(payments.accountId, account.id), eq(payments.reference, r.reference)))
      .for('update');
    if (!payment) return { status: 'unknown_payment' };
    const [known] = await tx
      .select({ amountMinor: paymentReversals.amountMinor })
      .from(paymentReversals)
      .where(and(eq(paymentReversals.accountId, account.id), eq(paymentReversals.reversalId, r.reversalId)));
    if (known) return { status: 'duplicate', amountMinor: known.amountMinor };
    const [reversed] = await tx
      .select({ total: sql<string>`coalesce(sum(${paymentReversals.amountMinor}), 0)::text` })
      .from(paymentReversals)
      .where(and(eq(paymentReversals.accountId, account.id), eq(paymentReversals.reference, r.reference)));
    const left = payment.amountMinor - Number(reversed?.total ?? 0);
    if (left <= 0) return { status: 'nothing_left' };
    if (r.exact && r.amountMinor !== undefined && r.amountMinor > left)
      return { status: 'above_payment', leftMinor: left };
    const amountMinor = Math.min(r.amountMinor ?? left, left);
    if (amountMinor <= 0) return { status: 'nothing_left' };
    await tx.insert(paymentReversals).values({
      accountId: account.id,
      reference: r.reference,
      reversalId: r.reversalId,
      amountMinor,
      currency: account.currency,
      source: r.source,
      reason: r.reason ?? null,
    });
    if (account.closedAt) return { status: 'account_closed', amountMinor };
    const outboxIds = await queueSignal(tx, taskQueue, account.workflowId, paymentReversedSignal, {
      reference: r.reference,
      amountMinor,
      reversalId: r.reversalId,
      ...(r.source === 'portal' ? { source: 'portal' } : {}),
    });
    return { status: 'reversed', amountMinor, outboxIds };
  });
}
