import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** What the integrator tells about a debtor beyond the contract's fields (segment, product, tags…). */
export type DebtorAttributes = Record<string, string | number | boolean | string[]>;

/** A person or company that owes; personal data lives here and nowhere else (not in workflows' ids or search attributes). */
export const debtors = pgTable('debtors', {
  id: uuid('id').primaryKey().defaultRandom(),
  externalId: text('external_id').notNull().unique(),
  kind: text('kind', { enum: ['person', 'company'] }).notNull(),
  name: text('name').notNull(),
  email: text('email'),
  phone: text('phone'),
  country: text('country').notNull(),
  timezone: text('timezone'),
  locale: text('locale'),
  /** Segmentation rules may name any of them (`when.attributes`); never personal data by contract. */
  attributes: jsonb('attributes').$type<DebtorAttributes>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
