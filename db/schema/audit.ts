import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per write request under /v1 (anything but GET, HEAD, OPTIONS), refused ones included: who (the API
 * key and its role; `userId` is for the console's users, none yet), which route, its target (the path
 * parameters), what (the request body with personal fields replaced by their length) and the answer's status.
 * `before`/`after`: the account read model's status, stage and balance, on account routes.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    requestId: text('request_id').notNull(),
    keyId: uuid('key_id'),
    role: text('role'),
    userId: uuid('user_id'),
    method: text('method').notNull(),
    /** The route as declared (`/v1/accounts/:accountId/payments`), or the path of an unknown one. */
    route: text('route').notNull(),
    target: jsonb('target').notNull().default({}),
    accountId: uuid('account_id'),
    body: jsonb('body'),
    statusCode: integer('status_code').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at, t.id),
    index('audit_log_key_idx').on(t.keyId, t.at),
    index('audit_log_account_idx').on(t.accountId, t.at),
    index('audit_log_route_idx').on(t.route, t.at),
  ],
);
