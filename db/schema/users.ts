import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { roles } from './api-keys';

/** People sign in with these roles; `system` is for API keys only. */
export const userRoles = ['admin', 'supervisor', 'strategist', 'agent'] as const;
export type UserRole = (typeof userRoles)[number];
export const locales = ['es', 'en'] as const;
export type Locale = (typeof locales)[number];

/**
 * The console's people: an email (stored lower-cased) and an argon2id password hash. An agent user is the
 * agent `agent_id` names (the id tasks and assignments use); one user per agent id.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    agentId: text('agent_id'),
    passwordHash: text('password_hash').notNull(),
    locale: text('locale', { enum: locales }).notNull().default('es'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_agent_id_idx')
      .on(t.agentId)
      .where(sql`${t.agentId} is not null`),
    check('users_email_lower', sql`${t.email} = lower(${t.email})`),
    check('users_role_not_system', sql`${t.role} <> 'system'`),
    check('users_agent_id_for_agents', sql`(${t.role} = 'agent') = (${t.agentId} is not null)`),
  ],
);

/**
 * A signed-in browser: `id` is the SHA-256 of the cookie's token (the token itself is never stored). A session
 * ends at `expires_at` (absolute), after the idle limit since `last_seen_at`, or when revoked (logout, a
 * password change revokes the user's other sessions, a disabled user's all).
 */
export const userSessions = pgTable(
  'user_sessions',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('user_sessions_user_idx').on(t.userId)],
);

/** Failed logins, counted per email and per address over a window to throttle guessing (every API process). */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    ip: text('ip').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_failures_email_idx').on(t.email, t.at), index('login_failures_ip_idx').on(t.ip, t.at)],
);

/** A named list query a person keeps (the portfolio explorer's filters); owner is `user:<id>` or `key:<id>`. */
export const savedFilters = pgTable(
  'saved_filters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    owner: text('owner').notNull(),
    name: text('name').notNull(),
    resource: text('resource', { enum: ['accounts'] }).notNull(),
    query: jsonb('query').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('saved_filters_owner_name').on(t.owner, t.resource, t.name)],
);
