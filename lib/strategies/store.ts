// Strategy drafts, immutable published versions and the segmentation document, in PostgreSQL.
// Built-in strategies (strategies/builtin) are served as version 0 of their id: always there, never
// stored; publishing under a built-in id creates version 1, which then takes precedence as the latest.
import { and, desc, eq, max, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { segmentations, strategyDrafts, strategyVersions } from '../../db/schema';
import {
  BUILTIN_STRATEGIES,
  validateStrategy,
  type Segmentation,
  type StrategyDefinition,
} from '../../strategies/index';
import type { NormalizedStrategy } from '../../strategies/core/types';

export const BUILTIN_VERSION = 0;

export interface StrategyVersion {
  id: string;
  version: number;
  definition: StrategyDefinition;
  strategy: NormalizedStrategy;
  publishedAt: Date | null;
  builtin: boolean;
}

function builtinVersion(id: string): StrategyVersion | null {
  const definition = BUILTIN_STRATEGIES[id];
  if (!definition) return null;
  const result = validateStrategy(definition);
  if (!result.ok) throw new Error(`built-in strategy ${id} is invalid`);
  return { id, version: BUILTIN_VERSION, definition, strategy: result.strategy, publishedAt: null, builtin: true };
}

function toVersion(row: typeof strategyVersions.$inferSelect): StrategyVersion {
  const result = validateStrategy(row.definition);
  // Only valid definitions are ever published; a failure here means the rules got stricter since.
  if (!result.ok)
    throw new Error(
      `strategy ${row.strategyId} v${row.version} no longer validates: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  return {
    id: row.strategyId,
    version: row.version,
    definition: row.definition as StrategyDefinition,
    strategy: result.strategy,
    publishedAt: row.publishedAt,
    builtin: false,
  };
}

/**
 * One published version (or the built-in as version 0); without `version`, the latest published one,
 * else the built-in. Null when there is no such strategy or version. The worker's activity uses this.
 */
export async function loadStrategyVersion(db: DbOrTx, id: string, version?: number): Promise<StrategyVersion | null> {
  if (version === BUILTIN_VERSION) return builtinVersion(id);
  const [row] = await db
    .select()
    .from(strategyVersions)
    .where(
      version === undefined
        ? eq(strategyVersions.strategyId, id)
        : and(eq(strategyVersions.strategyId, id), eq(strategyVersions.version, version)),
    )
    .orderBy(desc(strategyVersions.version))
    .limit(1);
  if (row) return toVersion(row);
  return version === undefined ? builtinVersion(id) : null;
}

/** The latest published version number of a strategy, or null when none was published. */
export async function latestPublishedVersion(db: DbOrTx, id: string): Promise<number | null> {
  const [latest] = await db
    .select({ version: max(strategyVersions.version) })
    .from(strategyVersions)
    .where(eq(strategyVersions.strategyId, id));
  return latest?.version ?? null;
}

export async function listStrategies(db: DbOrTx) {
  const published = await db
    .select({
      id: strategyVersions.strategyId,
      latestVersion: max(strategyVersions.version),
      publishedAt: max(strategyVersions.publishedAt),
    })
    .from(strategyVersions)
    .groupBy(strategyVersions.strategyId);
  const drafts = await db.select({ id: strategyDrafts.strategyId }).from(strategyDrafts);
  const draftIds = new Set(drafts.map((d) => d.id));
  const byId = new Map<
    string,
    { id: string; name: string | null; latestVersion: number | null; builtin: boolean; hasDraft: boolean }
  >();
  for (const [id, def] of Object.entries(BUILTIN_STRATEGIES))
    byId.set(id, { id, name: def.name, latestVersion: BUILTIN_VERSION, builtin: true, hasDraft: false });
  for (const p of published) {
    byId.set(p.id, {
      id: p.id,
      name: byId.get(p.id)?.name ?? null,
      latestVersion: p.latestVersion,
      builtin: BUILTIN_STRATEGIES[p.id] !== undefined,
      hasDraft: false,
    });
  }
  for (const id of draftIds)
    if (!byId.has(id)) byId.set(id, { id, name: null, latestVersion: null, builtin: false, hasDraft: true });
  const latest = await Promise.all(
    [...byId.values()].map(async (s) => {
      const current =
        s.latestVersion && s.latestVersion > 0 ? await loadStrategyVersion(db, s.id, s.latestVersion) : null;
      return { ...s, name: current?.definition.name ?? s.name, hasDraft: draftIds.has(s.id) };
    }),
  );
  return latest.sort((a, b) => a.id.localeCompare(b.id));
}

export async function listVersions(db: DbOrTx, id: string) {
  const rows = await db
    .select({
      version: strategyVersions.version,
      publishedAt: strategyVersions.publishedAt,
      publishedBy: strategyVersions.publishedBy,
    })
    .from(strategyVersions)
    .where(eq(strategyVersions.strategyId, id))
    .orderBy(strategyVersions.version);
  const builtin = BUILTIN_STRATEGIES[id]
    ? [{ version: BUILTIN_VERSION, publishedAt: null, publishedBy: null, builtin: true }]
    : [];
  return [...builtin, ...rows.map((r) => ({ ...r, builtin: false }))];
}

export async function getDraft(db: DbOrTx, id: string) {
  const [row] = await db.select().from(strategyDrafts).where(eq(strategyDrafts.strategyId, id));
  return row;
}

export async function saveDraft(db: DbOrTx, id: string, definition: StrategyDefinition, by: string | null) {
  const [row] = await db
    .insert(strategyDrafts)
    .values({ strategyId: id, definition, updatedBy: by })
    .onConflictDoUpdate({
      target: strategyDrafts.strategyId,
      set: { definition, updatedBy: by, updatedAt: new Date() },
    })
    .returning();
  if (!row) throw new Error('draft upsert returned nothing');
  return row;
}

/** Publishes `definition` as the next version of `id`; versions of one id are numbered under a lock. */
export async function publishVersion(
  db: DbOrTx,
  id: string,
  definition: StrategyDefinition,
  by: string | null,
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`strategy:${id}`}))`);
    const [current] = await tx
      .select({ version: max(strategyVersions.version) })
      .from(strategyVersions)
      .where(eq(strategyVersions.strategyId, id));
    const version = (current?.version ?? 0) + 1;
    await tx.insert(strategyVersions).values({ strategyId: id, version, definition, publishedBy: by });
    return version;
  });
}

/** Before a strategist publishes one: companies get the B2B strategy, everyone else the consumer one. */
export const DEFAULT_SEGMENTATION: Segmentation = {
  rules: [{ id: 'companies', when: { kind: 'company' }, strategy: 'b2b-co' }],
  default: { strategy: 'consumer-mx' },
};

/** The latest segmentation document, or version 0 (DEFAULT_SEGMENTATION) before any was published. */
export async function loadSegmentation(
  db: DbOrTx,
): Promise<{ version: number; segmentation: Segmentation; publishedAt: Date | null }> {
  const [row] = await db.select().from(segmentations).orderBy(desc(segmentations.version)).limit(1);
  if (!row) return { version: 0, segmentation: DEFAULT_SEGMENTATION, publishedAt: null };
  return { version: row.version, segmentation: row.rules as Segmentation, publishedAt: row.publishedAt };
}

export async function publishSegmentation(db: DbOrTx, segmentation: Segmentation, by: string | null): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('segmentation'))`);
    const [current] = await tx.select({ version: max(segmentations.version) }).from(segmentations);
    const version = (current?.version ?? 0) + 1;
    await tx.insert(segmentations).values({ version, rules: segmentation, publishedBy: by });
    return version;
  });
}

/** Ids a segmentation may name: built-ins and every published strategy. */
export async function knownStrategyIds(db: DbOrTx): Promise<Set<string>> {
  const rows = await db.selectDistinct({ id: strategyVersions.strategyId }).from(strategyVersions);
  return new Set([...Object.keys(BUILTIN_STRATEGIES), ...rows.map((r) => r.id)]);
}
