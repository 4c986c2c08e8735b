import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { rebuildAccountStanding, rebuildKpiRollups } from '../lib/ledger/append';
import * as schema from './schema';

const migrationsFolder = path.resolve(import.meta.dirname, 'migrations');
const MIGRATION_LOCK = 7_240_531;

/**
 * Applies the committed drizzle-kit migrations. Safe on every start, and when several
 * API or worker processes start together: one session-level advisory lock serialises them.
 */
export async function migrateDb(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    // The KPI rollups came after the ledger: the migration that creates them is followed by building them
    // from the ledger already there (the appends keep them from then on).
    const [before] = await sql<{ rollups: boolean; standing: boolean }[]>`
      select to_regclass('kpi_daily') is not null as rollups, to_regclass('account_standing') is not null as standing`;
    await migrate(drizzle(sql), { migrationsFolder });
    // So does account_standing (each account's latest entry, for aging): built once from the ledger.
    if (!before?.rollups) await rebuildKpiRollups(drizzle(sql, { schema }));
    else if (!before.standing) await rebuildAccountStanding(drizzle(sql, { schema }));
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
