import { customType, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts';
import { debtors } from './debtors';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * The debtor's portal link: one per debtor, covering all their accounts. Tokens name `linkId` (random,
 * not derived from any id) and are signed; revoking the link draws a new `linkId`, so every earlier token
 * stops working while the debtor's next message carries a new one.
 */
export const portalLinks = pgTable('portal_links', {
  debtorId: uuid('debtor_id')
    .primaryKey()
    .references(() => debtors.id),
  linkId: text('link_id').notNull().unique(),
  /** How many times the link was revoked (each revocation draws a new linkId). */
  revocations: integer('revocations').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** A file a debtor attached to a dispute from the portal (pdf/jpg/png, size-limited), kept in PostgreSQL. */
export const portalAttachments = pgTable(
  'portal_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    invoiceExternalId: text('invoice_external_id'),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('portal_attachments_account').on(t.accountId)],
);
