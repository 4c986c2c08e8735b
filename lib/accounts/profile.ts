// What the console's account page shows beside the workflow's view: the debtor's contacts, the account's
// invoices and the messages sent with their delivery status (newest first).
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { debtors, invoices, outboundMessages } from '../../db/schema';

/** At most this many messages are listed (the newest). */
export const PROFILE_MESSAGE_LIMIT = 100;

export async function accountProfile(db: Db, account: { id: string; debtorId: string }) {
  const [debtorRows, invoiceRows, messageRows] = await Promise.all([
    db.select().from(debtors).where(eq(debtors.id, account.debtorId)),
    db
      .select()
      .from(invoices)
      .where(eq(invoices.accountId, account.id))
      .orderBy(asc(invoices.dueDate), asc(invoices.externalId)),
    db
      .select({
        id: outboundMessages.id,
        channel: outboundMessages.channel,
        template: outboundMessages.template,
        status: outboundMessages.status,
        deliveryStatus: outboundMessages.deliveryStatus,
        deliveryUpdatedAt: outboundMessages.deliveryUpdatedAt,
        subject: outboundMessages.subject,
        bodyText: outboundMessages.bodyText,
        createdAt: outboundMessages.createdAt,
        sentAt: outboundMessages.sentAt,
      })
      .from(outboundMessages)
      .where(eq(outboundMessages.accountId, account.id))
      .orderBy(desc(outboundMessages.createdAt), desc(outboundMessages.id))
      .limit(PROFILE_MESSAGE_LIMIT),
  ]);
  return { debtor: debtorRows[0] ?? null, invoices: invoiceRows, messages: messageRows };
}
