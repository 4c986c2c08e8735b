// Online payment providers (Stripe, Mercado Pago): the checkouts we opened, every webhook delivery they sent
// us, and the reversals (refunds, chargebacks, an ERP's corrections) booked against payments.
import { bigint, index, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts';

/**
 * Every provider webhook delivery, recorded once (provider, event id) whatever it was about: a repeated
 * delivery is answered 2xx without being handled again. `outcome` says what handling it did.
 */
export const providerEvents = pgTable(
  'provider_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    provider: text('provider', { enum: ['stripe', 'mercadopago'] }).notNull(),
    /** Stripe's event id (evt_…); Mercado Pago's notification id (or its x-request-id when it has none). */
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    /** The payment reference it concerns (`stripe:<payment_intent>`, `mercadopago:<payment id>`), once known. */
    paymentRef: text('payment_ref'),
    accountId: uuid('account_id').references(() => accounts.id),
    /** received, booked, already_booked, reversed, unknown_payment, not_paid, account_closed, ignored, … */
    outcome: text('outcome').notNull().default('received'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('provider_events_provider_event').on(t.provider, t.eventId),
    index('provider_events_payment_ref').on(t.paymentRef),
  ],
);

/** A checkout we opened for a debtor: the same idempotency key gives back the same checkout. */
export const paymentCheckouts = pgTable(
  'payment_checkouts',
  {
    provider: text('provider', { enum: ['stripe', 'mercadopago'] }).notNull(),
    /** Stripe's Checkout Session id (cs_…) or Mercado Pago's preference id. */
    providerRef: text('provider_ref').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    debtorId: uuid('debtor_id').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    url: text('url').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerRef] })],
);

/** A booked payment taken back, once per (account, reversal id): a refund, a chargeback, an ERP's reversal. */
export const paymentReversals = pgTable(
  'payment_reversals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    /** The reversed payment's reference (payments.reference). */
    reference: text('reference').notNull(),
    /** The provider's refund or dispute id (`stripe:re_…`, `mercadopago:refund:…`) or the ERP's own. */
    reversalId: text('reversal_id').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** portal (a provider's refund or chargeback) or api (POST …/reversal). */
    source: text('source').notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('payment_reversals_account_reversal').on(t.accountId, t.reversalId),
    index('payment_reversals_account_reference').on(t.accountId, t.reference),
  ],
);
