// The audit log's rows: written after each write request's answer, read back as cursor pages and exports.
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { auditLog } from '../../db/schema';
import { asText, col, instant, selectOf, sqlExportSource, where, type ExportSource } from '../ledger/exports';

export type AuditEntry = typeof auditLog.$inferInsert;

export interface AuditFilters {
  /** Instants: `from` included, `to` excluded. */
  from?: string;
  to?: string;
  keyId?: string;
  route?: string;
  accountId?: string;
}

export async function writeAuditEntry(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values(entry);
}

function conditions(f: AuditFilters): (SQL | undefined)[] {
  return [
    f.from === undefined ? undefined : gte(auditLog.at, new Date(f.from)),
    f.to === undefined ? undefined : lt(auditLog.at, new Date(f.to)),
    f.keyId === undefined ? undefined : eq(auditLog.keyId, f.keyId),
    f.route === undefined ? undefined : eq(auditLog.route, f.route),
    f.accountId === undefined ? undefined : eq(auditLog.accountId, f.accountId),
  ];
}

/** Newest first; `after` is the (at, id) of the last row of the previous page, as PostgreSQL prints `at`. */
export async function auditPage(db: Db, f: AuditFilters, limit: number, after?: readonly [string, string]) {
  const rows = await db
    .select({ row: auditLog, cursorAt: sql<string>`${auditLog.at}::text` })
    .from(auditLog)
    .where(
      and(
        ...conditions(f),
        after ? sql`(${auditLog.at}, ${auditLog.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map((r) => r.row),
    next: rows.length > limit && last ? ([last.cursorAt, last.row.id] as const) : null,
  };
}

const json = (header: string, expr: { getSQL(): SQL }) => col(header, 'text', sql`(${expr})::text`);

const auditColumns = [
  instant('at', auditLog.at),
  col('requestId', 'text', auditLog.requestId),
  col('keyId', 'text', asText(auditLog.keyId)),
  col('role', 'text', auditLog.role),
  col('userId', 'text', asText(auditLog.userId)),
  col('method', 'text', auditLog.method),
  col('route', 'text', auditLog.route),
  col('statusCode', 'int', auditLog.statusCode),
  col('accountId', 'text', asText(auditLog.accountId)),
  json('target', auditLog.target),
  json('body', auditLog.body),
  json('before', auditLog.before),
  json('after', auditLog.after),
];

/** The audit log oldest first, with the list's filters; JSON columns as JSON text. */
export function auditExportSource(db: Db, f: AuditFilters): ExportSource {
  return sqlExportSource(
    db,
    auditColumns,
    selectOf(auditColumns, sql`from ${auditLog} where ${where(conditions(f))} order by ${auditLog.at}, ${auditLog.id}`),
  );
}
