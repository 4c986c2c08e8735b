// One SQL statement written once, run on either handle the code base has: drizzle's (API routes, activities)
// or postgres.js's own (the set-based import runs its chunks on the driver directly). Values are bound as
// parameters by both; only scalars, since the two tags read an array differently (a list vs an array).
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { DbOrTx } from './client';

export type SqlValue = string | number | boolean | null;
export type SqlTag = <T extends Record<string, unknown>>(
  strings: TemplateStringsArray,
  ...values: SqlValue[]
) => Promise<T[]>;

export function drizzleTag(db: DbOrTx): SqlTag {
  return async <T extends Record<string, unknown>>(strings: TemplateStringsArray, ...values: SqlValue[]) =>
    [...(await db.execute<T>(sql(strings, ...values)))] as T[];
}

export function postgresTag(tx: postgres.Sql | postgres.TransactionSql): SqlTag {
  return async <T extends Record<string, unknown>>(strings: TemplateStringsArray, ...values: SqlValue[]) =>
    [...(await tx<T[]>(strings, ...values))] as T[];
}
