import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
