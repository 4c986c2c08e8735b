// What the socket hears back, made durable: delivery receipts on outbound_messages, and each inbound
// message handled once even when WhatsApp delivers it again after a reconnect.
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { outboundMessages, webhookDeliveries } from '../../db/schema';
import type { DeliveryStatus, StatusUpdate } from './channel';

// Receipts arrive out of order (a read can precede its delivered); a status never steps back.
const RANK: Record<DeliveryStatus, number> = { sent: 1, failed: 2, delivered: 3, read: 4 };

function rankOf(column: typeof outboundMessages.deliveryStatus) {
  return sql`case ${column} when 'sent' then 1 when 'failed' then 2 when 'delivered' then 3 when 'read' then 4 else 0 end`;
}

/** Returns whether a row changed. */
export async function recordDeliveryStatus(db: DbOrTx, update: StatusUpdate): Promise<boolean> {
  const rows = await db
    .update(outboundMessages)
    .set({ deliveryStatus: update.status, deliveryUpdatedAt: new Date() })
    .where(
      and(
        eq(outboundMessages.channel, 'whatsapp'),
        eq(outboundMessages.providerMessageId, update.providerMessageId),
        or(
          isNull(outboundMessages.deliveryStatus),
          sql`${rankOf(outboundMessages.deliveryStatus)} < ${RANK[update.status]}`,
        ),
      ),
    )
    .returning({ id: outboundMessages.id });
  return rows.length > 0;
}

export const INBOUND_PROVIDER = 'whatsapp';

/** True the first time a WhatsApp message id is seen; false for a redelivery. */
export async function claimInbound(db: DbOrTx, providerMessageId: string): Promise<boolean> {
  const rows = await db
    .insert(webhookDeliveries)
    .values({ provider: INBOUND_PROVIDER, deliveryId: providerMessageId })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.deliveryId });
  return rows.length > 0;
}
