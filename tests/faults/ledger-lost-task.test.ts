// The event ledger after a lost workflow task, on the real PostgreSQL: the ledger append is a local activity,
// so a worker killed after it ran and before Temporal recorded the task leaves rows of a decision no run
// kept; the retried task decides again later (another time, perhaps another amount or outcome) and its
// entries must replace those rows, with the KPI rollups and the account's standing moved with them. Before,
// the second append did nothing and the ledger kept the lost attempt's time (the chaos run's check found
// 30 such rows after three worker kills).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, debtors } from '../../db/schema';
import { appendLedgerEntries } from '../../lib/ledger/append';
import type { TimelineEntry } from '../../strategies/core/types';
import { uniqueId } from '../support/runtime';

let db: DbHandle;

beforeAll(() => {
  db = createDb(inject('databaseUrl'), { max: 8 });
});

afterAll(async () => {
  await db?.close();
});

// Dates no other test writes in; the strategy id is this run's own, so kpi_daily rows of it are this test's.
const strategyId = uniqueId('lost-task');

async function openAccount(): Promise<string> {
  const [debtor] = await db.db
    .insert(debtors)
    .values({ externalId: uniqueId('D'), kind: 'company', name: 'Lost Task Debtor', country: 'US' })
    .returning();
  const [account] = await db.db
    .insert(accounts)
    .values({
      debtorId: debtor!.id,
      currency: 'USD',
      workflowId: uniqueId('lost-task'),
      strategyId,
      strategyVersion: 1,
    })
    .returning();
  return account!.id;
}

const append = (accountId: string, firstSeq: number, entries: TimelineEntry[]) =>
  appendLedgerEntries(db.db, { accountId, currency: 'USD', strategyId, strategyVersion: 1, firstSeq, entries });

const entry = (at: string, type: string, extra: Record<string, unknown> = {}): TimelineEntry => ({
  at,
  day: 3,
  stage: type === 'opened' ? 'none' : 'follow-up',
  type,
  ...extra,
});

/** The account's ledger as entries by seq (jsonb compares by content). */
async function ledgerOf(accountId: string) {
  const rows = await db.db.execute<{ seq: number; entry: TimelineEntry; at: string }>(sql`
    select seq, entry, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at
    from account_ledger where account_id = ${accountId} order by seq`);
  return rows.map((r) => ({ seq: r.seq, entry: r.entry, at: r.at }));
}

const asRows = (timeline: TimelineEntry[]) =>
  timeline.map((e, seq) => ({ seq, entry: e, at: new Date(Date.parse(e.at)).toISOString().replace('.000', '') }));

/**
 * Every rollup row of the account (kpi_daily: of this test's strategy) next to the same figures computed
 * from its ledger with plain GROUP BYs, as the rebuild from the ledger would make them.
 */
async function rollupsVsLedger(accountId: string) {
  const text = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
  const key = sql.raw(
    'local_date::text, currency, strategy_id, strategy_version, arm, stage, channel, agent_id, country',
  );
  const sub = sql.raw(`case type when 'closed' then entry->>'status' when 'deferred' then entry->>'reason'
    when 'skipped' then entry->>'reason' when 'contact_outcome' then entry->>'outcome' end`);
  const daily = await db.db.execute(sql`select ${key}, type, sub, entries, amount_minor::text from kpi_daily
    where strategy_id = ${strategyId}`);
  const dailyRef = await db.db.execute(sql`select ${key}, type, ${sub} as sub, count(*)::int as entries,
      coalesce(sum(amount_minor), 0)::text as amount_minor
    from account_ledger where strategy_id = ${strategyId} group by ${key}, type, 11`);
  const days = await db.db.execute(sql`select ${key}, placed_minor::text, paid_minor::text from kpi_account_days
    where account_id = ${accountId}`);
  const daysRef = await db.db.execute(sql`select ${key},
      sum(amount_minor) filter (where type = 'opened')::text as placed_minor,
      sum(case type when 'payment' then amount_minor when 'payment_reversed' then -amount_minor end)::text as paid_minor
    from account_ledger where account_id = ${accountId} group by ${key}`);
  const months = await db.db.execute(sql`select month::text, currency, strategy_id, strategy_version, arm, country, days
    from kpi_account_months where account_id = ${accountId}`);
  const monthsRef = await db.db.execute(sql`select date_trunc('month', local_date)::date::text as month, currency,
      strategy_id, strategy_version, arm, country, bit_or(1 << (extract(day from local_date)::int - 1)) as days
    from account_ledger where account_id = ${accountId} group by 1, 2, 3, 4, 5, 6`);
  const standing = await db.db.execute(sql`select seq, local_date::text, day, stage, close_seq, closed_status
    from account_standing where account_id = ${accountId}`);
  const standingRef = await db.db.execute(sql`select l.seq, l.local_date::text, l.day, l.stage, c.seq as close_seq,
      case when c.type = 'closed' then coalesce(c.entry->>'status', 'closed') end as closed_status
    from (select * from account_ledger where account_id = ${accountId} order by seq desc limit 1) l
    left join lateral (select seq, type, entry from account_ledger where account_id = ${accountId}
      and type in ('closed', 'reopened') order by seq desc limit 1) c on true`);
  return {
    got: { daily: text(daily), days: text(days), months: text(months), standing: text(standing) },
    want: { daily: text(dailyRef), days: text(daysRef), months: text(monthsRef), standing: text(standingRef) },
  };
}

describe('the event ledger after a lost workflow task', () => {
  it('replaces the lost attempt’s rows with the committed run’s, and the rollups follow', async () => {
    const accountId = await openAccount();
    const other = await openAccount();
    // Another account with the same keys on the same days: its rollup counts must stay as they are.
    await append(other, 0, [
      entry('2047-03-31T23:59:40-05:00', 'opened', { amount: '70.00' }),
      entry('2047-03-31T23:59:40-05:00', 'message', { channel: 'email', key: 'follow-up/0/1' }),
    ]);

    // The lost attempt decided just before midnight at the month's end (a message); the retried task,
    // 15 s later, on the next day and month, with a second invoice merged in, deferred it.
    const lost = [
      entry('2047-03-31T23:59:50-05:00', 'opened', { amount: '100.00' }),
      entry('2047-03-31T23:59:50-05:00', 'stage_entered'),
      entry('2047-03-31T23:59:50-05:00', 'message', { channel: 'email', template: 'invoice-overdue', key: 'k/0/1' }),
    ];
    const committed = [
      entry('2047-04-01T00:00:05-05:00', 'opened', { amount: '150.00' }),
      entry('2047-04-01T00:00:05-05:00', 'stage_entered'),
      entry('2047-04-01T00:00:05-05:00', 'deferred', {
        channel: 'email',
        reason: 'quiet_hours',
        until: '2047-04-01T08:00:00-05:00',
        key: 'k/0/1',
      }),
    ];
    expect(await append(accountId, 0, lost)).toBe(3);
    expect(await append(accountId, 0, committed)).toBe(3);
    expect(await ledgerOf(accountId)).toEqual(asRows(committed));
    // The lost attempt's append arriving after the retry's (it waited behind a lock, or was itself a repair of
    // an earlier lost task): older than the rows in place, it changes nothing.
    expect(await append(accountId, 0, lost)).toBe(0);
    expect(await ledgerOf(accountId)).toEqual(asRows(committed));
    let r = await rollupsVsLedger(accountId);
    expect(r.got).toEqual(r.want);
    // No day of the lost attempt is left in the account's rollups (March is gone from its months).
    expect(r.got.months.join()).not.toContain('2047-03-01');

    // A retry of the committed append (the local activity retried) and a replay change nothing.
    expect(await append(accountId, 0, committed)).toBe(0);
    expect(await append(accountId, 2, committed.slice(2))).toBe(0);
    expect(await ledgerOf(accountId)).toEqual(asRows(committed));

    // The lost attempt wrote more rows than the retried task decides: those past it go too.
    const timeline = [...committed];
    expect(
      await append(accountId, 3, [
        entry('2047-04-02T10:00:00-05:00', 'payment', { amount: '150.00' }),
        entry('2047-04-02T10:00:00-05:00', 'closed', { status: 'paid' }),
      ]),
    ).toBe(2);
    const payment = entry('2047-04-02T10:00:12-05:00', 'payment', { amount: '40.00' });
    expect(await append(accountId, 3, [payment])).toBe(1);
    timeline.push(payment);
    expect(await ledgerOf(accountId)).toEqual(asRows(timeline));
    r = await rollupsVsLedger(accountId);
    expect(r.got).toEqual(r.want);
    expect(r.got.standing[0]).toContain('"close_seq":null');

    // It wrote fewer: the committed run's first rows replace them and the rest are added.
    expect(await append(accountId, 4, [entry('2047-04-03T09:00:00-05:00', 'reply', { channel: 'email' })])).toBe(1);
    const next = [
      entry('2047-04-03T09:00:20-05:00', 'reply', { channel: 'email' }),
      entry('2047-04-03T09:00:20-05:00', 'contact_outcome', { channel: 'email', outcome: 'right_party' }),
    ];
    expect(await append(accountId, 4, next)).toBe(2);
    timeline.push(...next);
    expect(await ledgerOf(accountId)).toEqual(asRows(timeline));
    r = await rollupsVsLedger(accountId);
    expect(r.got).toEqual(r.want);

    // The other account's rows and rollups are untouched.
    const o = await rollupsVsLedger(other);
    expect(o.got.days).toEqual(o.want.days);
    expect(o.got.months).toEqual(o.want.months);
    expect((await ledgerOf(other)).length).toBe(2);
  });

  it('repairs alongside other accounts’ appends on the same daily rows: no deadlock, exact counts', async () => {
    // Half the repairs move entries to the next day, half stay on the lost attempt's day (a retry decides later,
    // never earlier), while fresh accounts append on both days: every append locks the shared kpi_daily rows
    // in one sorted order.
    const days = ['2047-06-01', '2047-06-02'];
    const at = (d: number, s: number) => `${days[d]}T12:00:${String(s).padStart(2, '0')}-05:00`;
    const opening = (d: number, s: number, amount: string) => [
      entry(at(d, s), 'opened', { amount }),
      entry(at(d, s), 'message', { channel: 'email', key: 'follow-up/0/1' }),
    ];
    const repaired = await Promise.all(Array.from({ length: 12 }, () => openAccount()));
    const fresh = await Promise.all(Array.from({ length: 12 }, () => openAccount()));
    await Promise.all(repaired.map((id) => append(id, 0, opening(0, 1, '10.00'))));
    const written = await Promise.all([
      ...repaired.map((id, i) => append(id, 0, opening(i % 2, 20, '25.00'))),
      ...fresh.map((id, i) => append(id, 0, opening(i % 2, 30, '5.00'))),
    ]);
    expect(written.every((n) => n === 2)).toBe(true);
    for (const id of [...repaired, ...fresh]) {
      const r = await rollupsVsLedger(id);
      expect(r.got).toEqual(r.want);
    }
  });
});
