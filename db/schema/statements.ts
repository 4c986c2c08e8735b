import { pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { debtors } from './debtors';

/**
 * The numeric reference a debtor writes on a bank transfer ("referencia"), one per debtor and currency; the
 * statement reconciliation finds the debtor by it. Random digits with a check digit: not derived from any id.
 */
export const transferReferences = pgTable(
  'transfer_references',
  {
    reference: text('reference').primaryKey(),
    debtorId: uuid('debtor_id')
      .notNull()
      .references(() => debtors.id),
    currency: text('currency').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('transfer_references_debtor_currency').on(t.debtorId, t.currency)],
);
