// Saved filters: a person's (or a key's) named list queries, e.g. the portfolio explorer's.
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { savedFilters } from '../../db/schema';

/** The most filters one owner keeps. */
export const MAX_SAVED_FILTERS = 100;

export type SavedFilter = typeof savedFilters.$inferSelect;

/** Whose filters: the console user, else the API key. */
export const ownerOf = (p: { userId: string | null; keyId: string | null }) =>
  p.userId ? `user:${p.userId}` : `key:${p.keyId ?? ''}`;

export function listSavedFilters(db: Db, owner: string, resource: 'accounts'): Promise<SavedFilter[]> {
  return db
    .select()
    .from(savedFilters)
    .where(and(eq(savedFilters.owner, owner), eq(savedFilters.resource, resource)))
    .orderBy(asc(savedFilters.name));
}

/**
 * Saves the filter under its name: the same name again replaces its query (so a retry changes nothing).
 * Null when the owner already keeps MAX_SAVED_FILTERS others.
 */
export async function saveFilter(
  db: Db,
  f: { owner: string; name: string; resource: 'accounts'; query: Record<string, unknown> },
): Promise<{ filter: SavedFilter; created: boolean } | null> {
  return db.transaction(async (tx) => {
    // One owner's saves in turn, so the count below holds.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${f.owner}))`);
    const [existing] = await tx
      .select({ id: savedFilters.id })
      .from(savedFilters)
      .where(
        and(eq(savedFilters.owner, f.owner), eq(savedFilters.resource, f.resource), eq(savedFilters.name, f.name)),
      );
    if (!existing) {
      const [n] = await tx.select({ n: count() }).from(savedFilters).where(eq(savedFilters.owner, f.owner));
      if ((n?.n ?? 0) >= MAX_SAVED_FILTERS) return null;
    }
    const [row] = await tx
      .insert(savedFilters)
      .values(f)
      .onConflictDoUpdate({
        target: [savedFilters.owner, savedFilters.resource, savedFilters.name],
        set: { query: f.query },
      })
      .returning();
    return row ? { filter: row, created: !existing } : null;
  });
}

export async function deleteSavedFilter(db: Db, owner: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(savedFilters)
    .where(and(eq(savedFilters.id, id), eq(savedFilters.owner, owner)))
    .returning({ id: savedFilters.id });
  return rows.length > 0;
}
