// Delivery and read rates per channel (GET /v1/kpis/channels): one row per outbound message with the
// provider's latest receipt (outbound_messages). The ledger records receipts as contact outcomes, one per
// receipt and not tied to their message, and a failed delivery only as the core's fall-back, so the
// per-message record is what can say how many of the messages sent were delivered and read.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { rate } from '../../strategies/kpis';

/** Latest delivery statuses (Resend's and WhatsApp's) that mean the message reached the debtor's device or inbox. */
export const DELIVERED_STATUSES = ['delivered', 'opened', 'clicked', 'read'] as const;
/** … and that the debtor opened it (an email opened or clicked, a WhatsApp message read). */
export const READ_STATUSES = ['opened', 'clicked', 'read'] as const;
/** … and that it never arrived. */
export const FAILED_STATUSES = ['failed', 'bounced', 'complained', 'suppressed'] as const;

export const CHANNEL_FORMULAS = {
  sent: 'outbound messages created in the period (local date of the debtor) whose send finished (sent, captured by the development outbox, or failed), not those still pending.',
  delivered: `messages whose latest delivery status is one of ${DELIVERED_STATUSES.join(', ')} (a read message was delivered).`,
  read: `messages whose latest delivery status is one of ${READ_STATUSES.join(', ')}.`,
  failed: `messages whose send failed, or whose latest delivery status is one of ${FAILED_STATUSES.join(', ')}.`,
  deliveryRate: 'delivered ÷ sent (null when nothing was sent).',
  readRate: 'read ÷ delivered (null when nothing was delivered).',
  failureRate: 'failed ÷ sent (null when nothing was sent).',
} as const;

export interface ChannelRates {
  channel: string;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  deliveryRate: number | null;
  readRate: number | null;
  failureRate: number | null;
}

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

export async function channelRates(
  db: DbOrTx,
  q: { from: string; to: string; strategy?: string },
): Promise<ChannelRates[]> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    select m.channel,
      count(*)::int as sent,
      count(*) filter (where m.delivery_status in (${list(DELIVERED_STATUSES)}))::int as delivered,
      count(*) filter (where m.delivery_status in (${list(READ_STATUSES)}))::int as read,
      count(*) filter (where m.status = 'failed' or m.delivery_status in (${list(FAILED_STATUSES)}))::int as failed
    from outbound_messages m
    join accounts a on a.id = m.account_id
    join debtors d on d.id = a.debtor_id
    where m.status <> 'pending'
      and (m.created_at at time zone coalesce(d.timezone, 'UTC'))::date between ${q.from}::date and ${q.to}::date
      ${q.strategy ? sql`and a.strategy_id = ${q.strategy}` : sql``}
    group by m.channel
    order by m.channel`);
  return rows.map((r) => {
    const sent = Number(r.sent);
    const delivered = Number(r.delivered);
    const read = Number(r.read);
    const failed = Number(r.failed);
    return {
      channel: String(r.channel),
      sent,
      delivered,
      read,
      failed,
      deliveryRate: rate(delivered, sent),
      readRate: rate(read, delivered),
      failureRate: rate(failed, sent),
    };
  });
}
