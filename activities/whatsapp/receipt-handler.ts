// Delivery receipts tell the account workflow how its WhatsApp step went: delivered and read count as
// contact outcomes, a failed delivery makes the core fall back on later steps. Recorded and queued in one
// transaction; a receipt that changes nothing (a repeat, or one older than what is known) signals nothing.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, outboundMessages } from '../../db/schema';
import { queueSignals, signalTo, type SignalOutbox } from '../../lib/outbox/signals';
import { contactOutcomeSignal, deliveryFailedSignal, stepKeyOf } from '../../workflows/account.messages';
import type { StatusUpdate } from './channel';
import { recordDeliveryStatus } from './receipts';

export function createReceiptHandler(deps: { db: Db; outbox: SignalOutbox }) {
  const { db, outbox } = deps;
  // One receipt at a time: a message's delivered and read arrive together, and handled side by side the
  // second would find the first's signal still undelivered and leave itself to the relay.
  let previous: Promise<unknown> = Promise.resolve();
  return function onStatus(update: StatusUpdate): Promise<void> {
    const next = previous.then(() => handle(update));
    previous = next.catch(() => undefined);
    return next;
  };

  async function handle(update: StatusUpdate): Promise<void> {
    const ids = await db.transaction(async (tx) => {
      if (!(await recordDeliveryStatus(tx, update))) return [];
      if (update.status === 'sent') return [];
      const [row] = await tx
        .select({ key: outboundMessages.idempotencyKey, workflowId: accounts.workflowId, closedAt: accounts.closedAt })
        .from(outboundMessages)
        .innerJoin(accounts, eq(accounts.id, outboundMessages.accountId))
        .where(
          and(
            eq(outboundMessages.channel, 'whatsapp'),
            eq(outboundMessages.providerMessageId, update.providerMessageId),
          ),
        );
      const step = row ? stepKeyOf(row.key) : null;
      // Replies to the debtor are not steps of the strategy: their receipts are only recorded.
      if (!row || step === null || row.closedAt !== null) return [];
      const signal =
        update.status === 'failed'
          ? signalTo(row.workflowId, deliveryFailedSignal, { key: step, channel: 'whatsapp', reason: 'failed' })
          : signalTo(row.workflowId, contactOutcomeSignal, {
              channel: 'whatsapp',
              outcome: `whatsapp_${update.status}`,
            });
      return queueSignals(tx, outbox.taskQueue, [signal]);
    });
    await outbox.dispatchNow(ids).catch(() => undefined);
  }
}
