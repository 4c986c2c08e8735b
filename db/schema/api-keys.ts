import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const roles = ['admin', 'system', 'strategist', 'supervisor', 'agent'] as const;
export type Role = (typeof roles)[number];

/** Keys are stored as SHA-256 hashes; the plain key is shown once, at creation. */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  role: text('role', { enum: roles }).notNull(),
  agentId: text('agent_id'),
  keyHash: text('key_hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});
