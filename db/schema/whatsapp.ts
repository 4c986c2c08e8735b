import { jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** A WhatsApp sender number served by one worker process (its own task queue). */
export const whatsappNumbers = pgTable('whatsapp_numbers', {
  id: text('id').primaryKey(),
  phone: text('phone'),
  status: text('status', { enum: ['unpaired', 'pairing', 'connected', 'logged_out'] })
    .notNull()
    .default('unpaired'),
  pairingCode: text('pairing_code'),
  qr: text('qr'),
  /** A pairing code asked for over the API; the process holding the socket takes it and writes pairingCode. */
  pairingRequestedPhone: text('pairing_requested_phone'),
  pairingRequestedAt: timestamp('pairing_requested_at', { withTimezone: true }),
  /** Why the last pairing-code request failed, for the admin polling the number. */
  pairingError: text('pairing_error'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Baileys auth state (creds and signal keys) in PostgreSQL instead of files; each update in a transaction. */
export const whatsappAuthKeys = pgTable(
  'whatsapp_auth_keys',
  {
    numberId: text('number_id')
      .notNull()
      .references(() => whatsappNumbers.id),
    /** `creds` for the credentials document, else the signal key type (pre-key, session, …). */
    keyType: text('key_type').notNull(),
    keyId: text('key_id').notNull(),
    value: jsonb('value').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.numberId, t.keyType, t.keyId] })],
);
