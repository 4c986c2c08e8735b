import { bigint, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts';

/**
 * Payments as reported; the (account, reference) pair makes a repeated report a no-op. A payment accepted for
 * an account whose run closed it before the payment reached it (lib/outbox/late-payments.ts) says where it
 * went: `movedFromAccountId` set, it was moved to `accountId` (the debtor's open account); `creditedAt` set, it
 * stayed on its closed account, uncounted there, and became the debtor's credit (debtor_credits, source
 * 'payment', source_ref its id). A payment that reached the run while it was closing the account is counted
 * there, and what the account could not use became the debtor's credit the same way
 * (lib/payments/closed-account-credit.ts).
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    reference: text('reference').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    movedFromAccountId: uuid('moved_from_account_id').references(() => accounts.id),
    creditedAt: timestamp('credited_at', { withTimezone: true }),
  },
  (t) => [unique('payments_account_reference').on(t.accountId, t.reference)],
);
