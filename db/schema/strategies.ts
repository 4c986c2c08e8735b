import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A strategist's working copy; editing it never touches running accounts. */
export const strategyDrafts = pgTable('strategy_drafts', {
  strategyId: text('strategy_id').primaryKey(),
  definition: jsonb('definition').notNull(),
  updatedBy: uuid('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Published versions are immutable: workflows load one by (id, version) and keep it in their state. */
export const strategyVersions = pgTable(
  'strategy_versions',
  {
    strategyId: text('strategy_id').notNull(),
    version: integer('version').notNull(),
    definition: jsonb('definition').notNull(),
    publishedBy: uuid('published_by'),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.strategyId, t.version] })],
);

/** Segmentation rules and champion/challenger weights, versioned as a whole document. */
export const segmentations = pgTable('segmentations', {
  version: integer('version').primaryKey(),
  rules: jsonb('rules').notNull(),
  publishedBy: uuid('published_by'),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
});
