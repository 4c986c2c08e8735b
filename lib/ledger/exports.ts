// What each export holds: its columns and a query streamed from PostgreSQL by a cursor (a few hundred rows
// in memory at a time), with the same filters as the lists. Writers (CSV, XLSX) live in lib/exports.
import { eq, gte, lte, sql, type Column, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Db } from '../../db/client';
import { accountLedger, accounts, debtors, payments } from '../../db/schema';

/**
 * text: string; int: number; money: minor units (as text) in the row's currency; decimal: an exact decimal string
 * ("1500.00"); number: a computed ratio (rates); date: YYYY-MM-DD; instant: ISO 8601.
 */
export type ColumnKind = 'text' | 'int' | 'money' | 'decimal' | 'number' | 'date' | 'instant';

export interface ExportColumn {
  header: string;
  kind: ColumnKind;
}

export interface SqlColumn extends ExportColumn {
  expr: SQL;
}

export interface ExportSource {
  columns: readonly ExportColumn[];
  /** The column (by header) holding each row's currency, for money columns. */
  currencyColumn: string;
  /** Rows in column order, a batch at a time. */
  batches: AsyncIterable<unknown[][]> | Iterable<unknown[][]>;
}

export const EXPORT_NAMES = ['accounts', 'ledger', 'payments', 'promises'] as const;
export type ExportName = (typeof EXPORT_NAMES)[number];

export interface ExportFilters {
  status?: string;
  stage?: string;
  strategyId?: string;
  assignedAgentId?: string;
  debtorExternalId?: string;
  currency?: string;
  minBalance?: string;
  maxBalance?: string;
  minDaysPastDue?: number;
  maxDaysPastDue?: number;
  /**
   * accounts: the account list's own conditions (api/accounts/filters.ts builds them from the fields above), so
   * the file holds what GET /v1/accounts shows; none given, every account.
   */
  accountConditions?: SQL[];
  accountId?: string;
  type?: string;
  channel?: string;
  from?: string;
  to?: string;
}

const BATCH_ROWS = 500;
const dialect = new PgDialect();

export const col = (header: string, kind: ColumnKind, expr: SQL | { getSQL(): SQL }): SqlColumn => ({
  header,
  kind,
  expr: 'getSQL' in expr ? expr.getSQL() : expr,
});
/** timestamptz as ISO 8601 (to_json's format), whatever the driver's parsers. */
export const instant = (header: string, expr: { getSQL(): SQL } | SQL) =>
  col(header, 'instant', sql`to_json(${expr}) #>> '{}'`);
export const asText = (expr: { getSQL(): SQL } | SQL) => sql`(${expr})::text`;

export const selectOf = (columns: readonly SqlColumn[], rest: SQL) =>
  sql`select ${sql.join(
    columns.map((c) => c.expr),
    sql`, `,
  )} ${rest}`;
/** A filter given is an equality; one not given is no condition. */
const equal = (column: Column, value: string | undefined) => (value === undefined ? undefined : eq(column, value));

export function where(conditions: (SQL | undefined | false)[]): SQL {
  const present = conditions.filter((c): c is SQL => c !== undefined && c !== false);
  return present.length === 0 ? sql`true` : sql.join(present, sql` and `);
}

const accountColumns = [
  col('accountId', 'text', asText(accounts.id)),
  col('debtorExternalId', 'text', debtors.externalId),
  col('debtorName', 'text', debtors.name),
  col('debtorKind', 'text', debtors.kind),
  col('country', 'text', debtors.country),
  col('currency', 'text', accounts.currency),
  col('balance', 'money', asText(accounts.balanceMinor)),
  col('status', 'text', accounts.status),
  col('stage', 'text', accounts.stage),
  col('strategyId', 'text', accounts.strategyId),
  col('strategyVersion', 'int', accounts.strategyVersion),
  col('arm', 'text', accounts.strategyArm),
  col('daysPastDue', 'int', accounts.daysPastDue),
  col('assignedAgentId', 'text', accounts.assignedAgentId),
  instant('openedAt', accounts.openedAt),
  instant('closedAt', accounts.closedAt),
];

function accountsQuery(f: ExportFilters): SQL {
  const filter = where(f.accountConditions ?? []);
  return selectOf(
    accountColumns,
    sql`from ${accounts} join ${debtors} on ${debtors.id} = ${accounts.debtorId}
    where ${filter} order by ${accounts.openedAt}, ${accounts.id}`,
  );
}

const ledgerColumns = [
  col('accountId', 'text', asText(accountLedger.accountId)),
  col('seq', 'int', accountLedger.seq),
  instant('at', accountLedger.at),
  col('localDate', 'date', asText(accountLedger.localDate)),
  col('type', 'text', accountLedger.type),
  col('stage', 'text', accountLedger.stage),
  col('day', 'int', accountLedger.day),
  col('strategyId', 'text', accountLedger.strategyId),
  col('strategyVersion', 'int', accountLedger.strategyVersion),
  col('arm', 'text', accountLedger.arm),
  col('channel', 'text', accountLedger.channel),
  col('agentId', 'text', accountLedger.agentId),
  col('country', 'text', accountLedger.country),
  col('currency', 'text', accountLedger.currency),
  col('amount', 'money', asText(accountLedger.amountMinor)),
  col('reason', 'text', accountLedger.reason),
];

function ledgerQuery(f: ExportFilters): SQL {
  const filter = where([
    f.from === undefined ? undefined : gte(accountLedger.localDate, f.from),
    f.to === undefined ? undefined : lte(accountLedger.localDate, f.to),
    equal(accountLedger.type, f.type),
    equal(accountLedger.accountId, f.accountId),
    equal(accountLedger.strategyId, f.strategyId),
    equal(accountLedger.channel, f.channel),
    equal(accountLedger.currency, f.currency),
  ]);
  return selectOf(
    ledgerColumns,
    sql`from ${accountLedger} where ${filter}
    order by ${accountLedger.localDate}, ${accountLedger.accountId}, ${accountLedger.seq}`,
  );
}

const paymentColumns = [
  col('accountId', 'text', asText(payments.accountId)),
  col('debtorExternalId', 'text', debtors.externalId),
  col('reference', 'text', payments.reference),
  col('currency', 'text', payments.currency),
  col('amount', 'money', asText(payments.amountMinor)),
  instant('paidAt', payments.paidAt),
  instant('recordedAt', payments.createdAt),
];

function paymentsQuery(f: ExportFilters): SQL {
  // Payment dates are UTC calendar dates of paidAt (a payment row has no debtor-local date of its own).
  const filter = where([
    f.from !== undefined && sql`${payments.paidAt} >= ${f.from}::date::timestamp at time zone 'UTC'`,
    f.to !== undefined && sql`${payments.paidAt} < (${f.to}::date + 1)::timestamp at time zone 'UTC'`,
    equal(payments.accountId, f.accountId),
    equal(payments.currency, f.currency),
    equal(debtors.externalId, f.debtorExternalId),
  ]);
  return selectOf(
    paymentColumns,
    sql`from ${payments} join ${accounts} on ${accounts.id} = ${payments.accountId}
    join ${debtors} on ${debtors.id} = ${accounts.debtorId}
    where ${filter} order by ${payments.paidAt}, ${payments.id}`,
  );
}

// Promises from the ledger: each promise_accepted with the first promise_kept/broken after it on its account
// (an account has at most one active promise, so the next outcome is its own).
const promiseColumns = [
  col('accountId', 'text', sql`p.account_id::text`),
  col('debtorExternalId', 'text', sql`d.external_id`),
  col('promiseId', 'text', sql`p.entry->>'promiseId'`),
  instant('acceptedAt', sql`p.at`),
  col('acceptedDate', 'date', sql`p.local_date::text`),
  col('currency', 'text', sql`p.currency`),
  col('amount', 'money', sql`p.amount_minor::text`),
  col('dueDate', 'date', sql`p.entry->>'dueDate'`),
  col('status', 'text', sql`coalesce(replace(o.type, 'promise_', ''), 'active')`),
  instant('resolvedAt', sql`o.at`),
  col('strategyId', 'text', sql`p.strategy_id`),
  col('strategyVersion', 'int', sql`p.strategy_version`),
  col('arm', 'text', sql`p.arm`),
  col('agentId', 'text', sql`p.agent_id`),
];

function promisesQuery(f: ExportFilters): SQL {
  const filter = where([
    f.from !== undefined && sql`p.local_date >= ${f.from}::date`,
    f.to !== undefined && sql`p.local_date <= ${f.to}::date`,
    f.accountId !== undefined && sql`p.account_id = ${f.accountId}::uuid`,
    f.strategyId !== undefined && sql`p.strategy_id = ${f.strategyId}`,
    f.currency !== undefined && sql`p.currency = ${f.currency}`,
    f.status !== undefined && sql`coalesce(replace(o.type, 'promise_', ''), 'active') = ${f.status}`,
  ]);
  return selectOf(
    promiseColumns,
    sql`from account_ledger p
    join accounts a on a.id = p.account_id join debtors d on d.id = a.debtor_id
    left join lateral (select o.type, o.at from account_ledger o
      where o.account_id = p.account_id and o.seq > p.seq and o.type in ('promise_kept', 'promise_broken')
      order by o.seq limit 1) o on true
    where p.type = 'promise_accepted' and ${filter}
    order by p.at, p.account_id, p.seq`,
  );
}

const sources: Record<ExportName, { columns: readonly SqlColumn[]; query: (f: ExportFilters) => SQL }> = {
  accounts: { columns: accountColumns, query: accountsQuery },
  ledger: { columns: ledgerColumns, query: ledgerQuery },
  payments: { columns: paymentColumns, query: paymentsQuery },
  promises: { columns: promiseColumns, query: promisesQuery },
};

/** drizzle(postgres.js) keeps its client on the instance (untyped on Db): a cursor needs the driver itself. */
const clientOf = (db: Db) => (db as Db & { $client: postgres.Sql }).$client;

/**
 * An export may stream for minutes, longer than a request's statement timeout (which PostgreSQL counts over
 * the whole cursor, not per batch): it reads in a read-only transaction of its own, with this bound.
 */
const EXPORT_STATEMENT_TIMEOUT_MS = 10 * 60_000;

async function* cursorBatches(db: Db, query: { sql: string; params: unknown[] }): AsyncGenerator<unknown[][]> {
  const conn = await clientOf(db).reserve();
  let done = false;
  try {
    await conn`begin read only`;
    await conn`select set_config('statement_timeout', ${String(EXPORT_STATEMENT_TIMEOUT_MS)}, true)`;
    yield* conn
      .unsafe(query.sql, query.params as never[])
      .values()
      .cursor(BATCH_ROWS);
    done = true;
  } finally {
    // A client that went away ends the cursor early: the transaction only read, so it is simply rolled back.
    await (done ? conn`commit` : conn`rollback`).catch(() => undefined);
    conn.release();
  }
}

/** The export's rows, streamed by a server-side cursor (the query runs when the first batch is read). */
export function exportSource(db: Db, name: ExportName, filters: ExportFilters): ExportSource {
  const source = sources[name];
  return {
    columns: source.columns,
    currencyColumn: 'currency',
    batches: cursorBatches(db, dialect.sqlToQuery(source.query(filters))),
  };
}

/** Another module's export (the audit log): its columns and query, streamed by the same cursor. */
export function sqlExportSource(db: Db, columns: readonly SqlColumn[], query: SQL): ExportSource {
  return { columns, currencyColumn: 'currency', batches: cursorBatches(db, dialect.sqlToQuery(query)) };
}
