// Delivery receipts tell the account workflow how its WhatsApp step went: delivered and read count as
// contact outcomes, a failed delivery makes the core fall back on later steps. Recorded and queued in one
// transaction; a receipt that changes nothing (a repeat, or one older than what is known) signals nothing.
import { and, eq } from 'drizzle-orm';
import type { OutboxRelay } from '../../api/outbox/relay';
import { queueSignal } from '../../api/accounts/signals';
import type { Db } from '../../db/client';
import { accounts, outboundMessages } from '../../db/schema';
import { contactOutcomeSignal, deliveryFailedSignal, stepKeyOf } from '../../workflows/account.messages';
import type { StatusUpdate } from './channel';
import { recordDeliveryStatus } from './receipts';

export type SignalOutbox = Pick<OutboxRelay, 'taskQueue' | 'dispatchNow'>;

export function createReceiptHandler(deps: { db: Db; outbox: SignalOutbox }) {
  const { db, outbox } = deps;
  return async function onStatus(update: StatusUpdate): Promise<void> {
    const ids = await db.transaction(async (tx) => {
      if (!(await recordDeliveryStatus(tx, update))) return [];
      if (update.status === 'sent') return [];
      const [row] = await tx
        .select({ key: outboundMessages.idempotencyKey, workflowId: accounts.workflowId, closedAt: accounts.closedAt })
        .from(outboundMessages)
        .innerJoin(accounts, eq(accounts.id, outboundMessages.accountId))
        .where(and(eq(outboundMessages.channel, 'whatsapp'), eq(outboundMessages.providerMessageId, update.providerMessageId)));
      const step = row ? stepKeyOf(row.key) : null;
      // Replies to the debtor are not steps of the strategy: their receipts are only recorded.
      if (!row || step === null || row.closedAt !== null) return [];
      return update.status === 'failed'
        ? queueSignal(tx, outbox.taskQueue, row.workflowId, deliveryFailedSignal.name, { key: step, channel: 'whatsapp', reason: 'failed' })
        : queueSignal(tx, outbox.taskQueue, row.workflowId, contactOutcomeSignal.name, { channel: 'whatsapp', outcome: `whatsapp_${update.status}` });
    });
    await outbox.dispatchNow(ids).catch(() => undefined);
  };
}
