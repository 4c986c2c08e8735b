// What PostgreSQL recorded of the accounts a backtest replays: which accounts were active in the period,
// and for each its invoices as accepted, payments as reported, the debtor's opt-outs and bounces, and its
// ledger (the account's timeline, in order).
import { and, asc, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { accountLedger, accounts, debtorChannelStatus, debtors, invoices, payments } from '../../db/schema';
import type { RecordedAccount } from '../../strategies/backtest';
import type { TimelineEntry } from '../../strategies/core/types';
import { mainZone } from '../../strategies/jurisdictions';

export interface BacktestScope {
  from: string;
  to: string;
  /** At most this many accounts, chosen by a hash of their id (the same accounts every time). */
  sample?: number | null;
  /** Only accounts whose ledger entries in the period were written under this strategy. */
  collectedUnder?: string | null;
}

function activeIn(scope: BacktestScope) {
  return sql`local_date between ${scope.from}::date and ${scope.to}::date${
    scope.collectedUnder ? sql` and strategy_id = ${scope.collectedUnder}` : sql``
  }`;
}

/** How many accounts have ledger activity in the period (before any sample). */
export async function countActiveAccounts(db: DbOrTx, scope: BacktestScope): Promise<number> {
  const [row] = await db.execute<{ n: number }>(
    sql`select count(distinct account_id)::int as n from account_ledger where ${activeIn(scope)}`,
  );
  return row?.n ?? 0;
}

/** The accounts a backtest replays, in a stable order (the sample's hash order). */
export async function activeAccountIds(db: DbOrTx, scope: BacktestScope): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select account_id as id from account_ledger where ${activeIn(scope)}
    group by account_id
    order by md5(account_id::text), account_id
    ${scope.sample ? sql`limit ${scope.sample}` : sql``}`);
  return rows.map((r) => r.id);
}

const groupBy = <T extends { accountId: string }>(rows: readonly T[]) => {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    const list = by.get(r.accountId) ?? [];
    list.push(r);
    by.set(r.accountId, list);
  }
  return by;
};

/** The records of some accounts, with their ledger up to the local date `to`. */
export async function recordedAccounts(db: DbOrTx, ids: readonly string[], to: string): Promise<RecordedAccount[]> {
  if (ids.length === 0) return [];
  const list = [...ids];
  const [rows, owed, paid, ledger] = await Promise.all([
    db
      .select({
        id: accounts.id,
        currency: accounts.currency,
        openedAt: accounts.openedAt,
        debtorId: accounts.debtorId,
        country: debtors.country,
        timezone: debtors.timezone,
        email: debtors.email,
        phone: debtors.phone,
      })
      .from(accounts)
      .innerJoin(debtors, sql`${debtors.id} = ${accounts.debtorId}`)
      .where(inArray(accounts.id, list)),
    db
      .select({
        accountId: invoices.accountId,
        externalId: invoices.externalId,
        amountMinor: invoices.amountMinor,
        dueDate: invoices.dueDate,
        createdAt: invoices.createdAt,
      })
      .from(invoices)
      .where(inArray(invoices.accountId, list))
      .orderBy(asc(invoices.createdAt)),
    db
      .select({
        accountId: payments.accountId,
        reference: payments.reference,
        amountMinor: payments.amountMinor,
        paidAt: payments.paidAt,
        createdAt: payments.createdAt,
      })
      .from(payments)
      .where(inArray(payments.accountId, list))
      .orderBy(asc(payments.createdAt)),
    db
      .select({ accountId: accountLedger.accountId, entry: accountLedger.entry })
      .from(accountLedger)
      .where(and(inArray(accountLedger.accountId, list), lte(accountLedger.localDate, to)))
      .orderBy(asc(accountLedger.accountId), asc(accountLedger.seq)),
  ]);
  const debtorIds = [...new Set(rows.map((r) => r.debtorId))];
  const statuses =
    debtorIds.length === 0
      ? []
      : await db
          .select({
            debtorId: debtorChannelStatus.debtorId,
            channel: debtorChannelStatus.channel,
            updatedAt: debtorChannelStatus.updatedAt,
          })
          .from(debtorChannelStatus)
          .where(inArray(debtorChannelStatus.debtorId, debtorIds));
  const invoicesBy = groupBy(owed);
  const paymentsBy = groupBy(paid);
  const ledgerBy = groupBy(ledger);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return list.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const opened = r.openedAt.getTime();
    const mine = statuses.filter((s) => s.debtorId === r.debtorId);
    // As the account opened (api/invoices/ingest.ts reads them in the same transaction): a channel already
    // off stays off; one that went off later is an opt-out at that time (every status is one: the workflow
    // hears `optedOut` for a bounce too).
    const offAtOpening = new Set(mine.filter((s) => s.updatedAt.getTime() <= opened).map((s) => s.channel));
    const account: RecordedAccount = {
      accountId: id,
      currency: r.currency,
      country: r.country,
      zone: r.timezone ?? mainZone(r.country),
      channels: {
        email: r.email !== null && !offAtOpening.has('email'),
        whatsapp: r.phone !== null && !offAtOpening.has('whatsapp'),
      },
      invoices: (invoicesBy.get(id) ?? []).map((i) => ({
        externalId: i.externalId,
        amountMinor: i.amountMinor,
        dueDate: i.dueDate,
        acceptedAt: i.createdAt.getTime(),
      })),
      payments: (paymentsBy.get(id) ?? []).map((p) => ({
        reference: p.reference,
        amountMinor: p.amountMinor,
        paidAt: p.paidAt.getTime(),
        receivedAt: p.createdAt.getTime(),
      })),
      channelsOff: mine
        .filter((s) => !offAtOpening.has(s.channel))
        .map((s) => ({ channel: s.channel, at: s.updatedAt.getTime() })),
      timeline: (ledgerBy.get(id) ?? []).map((l) => l.entry as TimelineEntry),
    };
    return [account];
  });
}
