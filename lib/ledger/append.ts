// The ledger append: an account's new timeline entries land in account_ledger once each (the key is the
// entry's position in the account's timeline, so a retried activity or a replayed workflow adds nothing),
// and the KPI rollups (db/schema/kpi-rollups.ts) count, in the same statement, exactly the rows the insert
// added. Rows a lost workflow task wrote (its worker died before Temporal recorded the task) are replaced by
// those of the run that committed. The account workflow's ledger activity calls this; so does the KPI bench
// (the real path).
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { currencyDigits, parseMinor } from '../../strategies/core/money';
import type { TimelineEntry } from '../../strategies/core/types';

export interface LedgerAppend {
  accountId: string;
  currency: string;
  strategyId: string;
  strategyVersion: number;
  /** Position in the account's timeline of the first entry. */
  firstSeq: number;
  entries: TimelineEntry[];
}

/** The money an entry is about, in minor units (payments, promises, write-offs, adjustments, plans). */
function amountOf(entry: TimelineEntry, digits: number): number | null {
  for (const field of ['amount', 'adjustment', 'total']) {
    const value = entry[field];
    if (typeof value === 'string') return parseMinor(value, digits);
  }
  return null;
}

const text = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * The sub-key of an entry in kpi_daily: what the KPI maps count it by besides its ledger key (the reason of
 * a deferred or skipped entry, the status of a closed one, the outcome of a contact outcome).
 */
export const ROLLUP_SUB = sql`case type when 'closed' then entry->>'status' when 'deferred' then entry->>'reason'
  when 'skipped' then entry->>'reason' when 'contact_outcome' then entry->>'outcome' end`;

const KEY = sql.raw('currency, strategy_id, strategy_version, arm, stage, channel, agent_id, country');
const ACCOUNT_KEY = sql.raw('currency, strategy_id, strategy_version, arm, country');

/**
 * The three rollup upserts, as statements over `source`: a relation with the ledger's key columns,
 * account_id, local_date, type, amount_minor, sub and n (1 for an entry counted in; kpi_daily also takes
 * −1, an entry taken out). Rows are sorted by key before they are upserted, so concurrent appends lock the
 * shared daily rows in one order (no deadlock between them).
 */
export function rollupUpserts(source: SQL): SQL[] {
  return [
    sql`insert into kpi_daily (local_date, ${KEY}, type, sub, entries, amount_minor)
      select local_date, ${KEY}, type, sub, sum(n)::int, coalesce(sum(n * amount_minor), 0)::bigint
      from ${source} s
      group by local_date, ${KEY}, type, sub
      order by local_date, ${KEY}, type, sub
      on conflict on constraint kpi_daily_key do update
        set entries = kpi_daily.entries + excluded.entries, amount_minor = kpi_daily.amount_minor + excluded.amount_minor`,
    sql`insert into kpi_account_months (month, ${ACCOUNT_KEY}, account_id, days)
      select date_trunc('month', local_date)::date, ${ACCOUNT_KEY}, account_id,
        bit_or(1 << (extract(day from local_date)::int - 1))
      from ${source} s
      group by 1, ${ACCOUNT_KEY}, account_id
      order by 1, ${ACCOUNT_KEY}, account_id
      on conflict on constraint kpi_account_months_key do update set days = kpi_account_months.days | excluded.days
        where kpi_account_months.days | excluded.days <> kpi_account_months.days`,
    sql`insert into kpi_account_days (local_date, ${KEY}, account_id, placed_minor, paid_minor)
      select local_date, ${KEY}, account_id, sum(amount_minor) filter (where type = 'opened'),
        -- Net of reversals (refunds, chargebacks); null on days without either.
        sum(case type when 'payment' then amount_minor when 'payment_reversed' then -amount_minor end)
      from ${source} s
      group by local_date, ${KEY}, account_id
      order by local_date, ${KEY}, account_id
      on conflict on constraint kpi_account_days_key do update set
        placed_minor = case when excluded.placed_minor is null then kpi_account_days.placed_minor
          else coalesce(kpi_account_days.placed_minor, 0) + excluded.placed_minor end,
        paid_minor = case when excluded.paid_minor is null then kpi_account_days.paid_minor
          else coalesce(kpi_account_days.paid_minor, 0) + excluded.paid_minor end
        where excluded.placed_minor is not null or excluded.paid_minor is not null`,
  ];
}

const STANDING = sql.raw('stage, strategy_id, strategy_version, arm, agent_id, country');

/**
 * The account_standing upsert over `source` (account_id, seq, local_date, day, the standing columns, type and
 * status): each account's latest entry, and its latest `closed`/`reopened` entry, unless the table already
 * holds later ones (an append retried after a later one changes nothing).
 */
export function standingUpsert(source: SQL): SQL {
  const later = sql.raw('excluded.seq > account_standing.seq');
  const laterClose = sql.raw(
    'excluded.close_seq is not null and (account_standing.close_seq is null or excluded.close_seq > account_standing.close_seq)',
  );
  const keep = (column: string, when: SQL) =>
    sql`${sql.raw(column)} = case when ${when} then excluded.${sql.raw(column)} else account_standing.${sql.raw(column)} end`;
  return sql`insert into account_standing (account_id, seq, local_date, day, ${STANDING}, close_seq, closed_status)
    select l.account_id, l.seq, l.local_date, l.day, l.stage, l.strategy_id, l.strategy_version, l.arm, l.agent_id,
      l.country, c.seq, c.status
    from (select distinct on (account_id) account_id, seq, local_date, day, ${STANDING}
          from ${source} s order by account_id, seq desc) l
    left join (select distinct on (account_id) account_id, seq,
                 case when type = 'closed' then coalesce(status, 'closed') end as status
               from ${source} s where type in ('closed', 'reopened') order by account_id, seq desc) c
      on c.account_id = l.account_id
    order by l.account_id
    on conflict (account_id) do update set
      ${sql.join(
        ['local_date', 'day', 'stage', 'strategy_id', 'strategy_version', 'arm', 'agent_id', 'country'].map((c) =>
          keep(c, later),
        ),
        sql`, `,
      )},
      seq = greatest(account_standing.seq, excluded.seq),
      ${keep('closed_status', laterClose)},
      ${keep('close_seq', laterClose)}`;
}

/**
 * The ledger columns a timeline entry fills, at its position in the account's timeline (keys are
 * account_ledger's column names). The chaos run compares the ledger with the workflows' timelines by it.
 */
export function ledgerRowOf(entry: TimelineEntry, seq: number, currency: string) {
  return {
    seq,
    at: new Date(Date.parse(entry.at)).toISOString(),
    local_date: entry.at.slice(0, 10),
    type: entry.type,
    stage: entry.stage,
    day: entry.day,
    channel: text(entry.channel),
    amount_minor: amountOf(entry, currencyDigits(currency)),
    reason: text(entry.reason) ?? text(entry.status) ?? text(entry.outcome),
    entry,
  };
}

type LedgerRowInput = ReturnType<typeof ledgerRowOf>;

/**
 * Appends the entries; answers how many rows it wrote. Positions already there with the same entry are left
 * as they are (a retried activity, a replayed workflow). A position holding another entry was written by a
 * workflow task that was lost: the ledger append is a local activity, so it runs before Temporal records the
 * task, and a worker that dies in between leaves rows of a decision no run kept. The task is retried later
 * (and decides with a later clock, perhaps on more signals), so from the first position that differs the
 * lost attempt's rows are replaced by these, the rollups moved with them.
 */
export async function appendLedgerEntries(db: DbOrTx, input: LedgerAppend): Promise<number> {
  if (input.entries.length === 0) return 0;
  const rows = input.entries.map((e, i) => ledgerRowOf(e, input.firstSeq + i, input.currency));
  const added = await insertRows(db, input, rows);
  if (added === rows.length) return added;
  if ((await firstDifference(db, input.accountId, rows)) === null) return added;
  return db.transaction(async (tx) => {
    // One repair of an account at a time (an activity retried while its first attempt still runs).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${input.accountId}::text, 5310447))`);
    const from = await firstDifference(tx, input.accountId, rows);
    if (from === null) return 0;
    // A lost attempt decided before the task that replaced it. Rows older than those in place are a lost
    // attempt's arriving late (its statement or transaction waited while a retry committed; two lost tasks
    // in a row under a kill storm): they never overwrite the newer decision.
    const incoming = rows.find((r) => r.seq === from);
    const [inPlace] = await tx.execute<{ newer: boolean }>(sql`
      select at > ${incoming?.at ?? null}::timestamptz as newer from account_ledger
      where account_id = ${input.accountId} and seq = ${from}`);
    if (inPlace?.newer) return 0;
    return replaceFrom(tx, input, rows, from);
  });
}

/** The first position of `rows` whose ledger row holds another entry (jsonb equality: by content). */
async function firstDifference(db: DbOrTx, accountId: string, rows: LedgerRowInput[]): Promise<number | null> {
  const pairs = JSON.stringify(rows.map((r) => ({ seq: r.seq, entry: r.entry })));
  const [found] = await db.execute<{ seq: number | null }>(sql`
    select min(l.seq)::int as seq
    from jsonb_to_recordset(${pairs}::jsonb) as r(seq int, entry jsonb)
    join account_ledger l on l.account_id = ${accountId} and l.seq = r.seq
    where l.entry <> r.entry`);
  return found?.seq ?? null;
}

const dateArray = (dates: Iterable<string>) => `{${[...new Set(dates)].join(',')}}`;

/** A row taken out of the ledger, as kpi_daily counted it (its key columns as written). */
type Removed = Record<'local_date' | 'currency' | 'type' | 'stage', string> &
  Record<'strategy_id' | 'arm' | 'channel' | 'agent_id' | 'country' | 'sub' | 'amount_minor', string | null> & {
    strategy_version: number | null;
  };

const REMOVED_COLUMNS = sql.raw(`local_date date, currency text, strategy_id text, strategy_version int, arm text,
  stage text, channel text, agent_id text, country text, type text, sub text, amount_minor bigint`);

/**
 * In the caller's transaction: removes the account's rows from `from` on (the lost attempt's, including any
 * past these entries), appends `rows` with kpi_daily moved by both in one sorted upsert (as every append
 * locks its rows), then rebuilds the account's own rollup rows (its days and months touched, its standing)
 * from its ledger.
 */
async function replaceFrom(tx: DbOrTx, input: LedgerAppend, rows: LedgerRowInput[], from: number): Promise<number> {
  const removed = await tx.execute<Removed>(sql`
    delete from account_ledger where account_id = ${input.accountId} and seq >= ${from}
    returning local_date::text as local_date, ${KEY}, type, amount_minor::text as amount_minor, ${ROLLUP_SUB} as sub`);
  const written = await insertRows(tx, input, rows, [...removed]);
  // The daily rows the removed entries alone made are empty now (this transaction holds their locks).
  if (removed.length > 0)
    await tx.execute(sql`delete from kpi_daily k using jsonb_to_recordset(${JSON.stringify([...removed])}::jsonb)
        as r(${REMOVED_COLUMNS})
      where k.entries = 0 and k.local_date = r.local_date and k.currency = r.currency and k.type = r.type
        and k.stage = r.stage and k.strategy_id is not distinct from r.strategy_id
        and k.strategy_version is not distinct from r.strategy_version and k.arm is not distinct from r.arm
        and k.channel is not distinct from r.channel and k.agent_id is not distinct from r.agent_id
        and k.country is not distinct from r.country and k.sub is not distinct from r.sub`);
  const touched = [...removed.map((r) => r.local_date), ...rows.filter((r) => r.seq >= from).map((r) => r.local_date)];
  const dates = dateArray(touched);
  const months = dateArray(touched.map((d) => `${d.slice(0, 7)}-01`));
  const ledger = (where: SQL) =>
    sql`(select account_id, local_date, ${KEY}, type, amount_minor, ${ROLLUP_SUB} as sub, 1 as n from account_ledger
      where account_id = ${input.accountId} and ${where})`;
  const [, upsertMonths] = rollupUpserts(ledger(sql`date_trunc('month', local_date)::date = any(${months}::date[])`));
  const [, , upsertDays] = rollupUpserts(ledger(sql`local_date = any(${dates}::date[])`));
  await tx.execute(
    sql`delete from kpi_account_months where month = any(${months}::date[]) and account_id = ${input.accountId}`,
  );
  await tx.execute(
    sql`delete from kpi_account_days where local_date = any(${dates}::date[]) and account_id = ${input.accountId}`,
  );
  if (upsertMonths) await tx.execute(upsertMonths);
  if (upsertDays) await tx.execute(upsertDays);
  await tx.execute(sql`delete from account_standing where account_id = ${input.accountId}`);
  await tx.execute(
    standingUpsert(
      sql`(select account_id, seq, local_date, day, ${STANDING}, type, entry->>'status' as status from account_ledger
        where account_id = ${input.accountId})`,
    ),
  );
  return written;
}

/**
 * The insert: rows not there yet are added and counted into the rollups in the same statement; `removed`
 * (a repair's) are taken out of kpi_daily in the same upsert.
 */
async function insertRows(
  db: DbOrTx,
  input: LedgerAppend,
  rows: LedgerRowInput[],
  removed: Removed[] = [],
): Promise<number> {
  // Keys are the recordset's column names (jsonb_to_recordset matches them by name).
  const [, upsertMonths, upsertDays] = rollupUpserts(sql.raw('added'));
  const [upsertDaily] = rollupUpserts(
    removed.length === 0
      ? sql.raw('added')
      : sql`(select local_date, ${KEY}, type, sub, n, amount_minor from added
          union all
          select local_date, ${KEY}, type, sub, -1, amount_minor
          from jsonb_to_recordset(${JSON.stringify(removed)}::jsonb) as r(${REMOVED_COLUMNS}))`,
  );
  // Arm, agent and country come from the account and debtor rows as they are when the entry lands. Only the
  // rows the insert added (RETURNING leaves out those already there) reach the rollups, in the same statement.
  const [result] = await db.execute<{ added: number }>(sql`
    with added as (
      insert into account_ledger (account_id, seq, at, local_date, type, stage, day, strategy_id,
        strategy_version, arm, channel, agent_id, country, currency, amount_minor, reason, entry)
      select a.id, r.seq, r.at, r.local_date, r.type, r.stage, r.day, ${input.strategyId}, ${input.strategyVersion},
        a.strategy_arm, r.channel, a.assigned_agent_id, d.country, ${input.currency}, r.amount_minor, r.reason, r.entry
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(seq int, at timestamptz, local_date date,
        type text, stage text, day int, channel text, amount_minor bigint, reason text, entry jsonb)
      join accounts a on a.id = ${input.accountId}
      join debtors d on d.id = a.debtor_id
      on conflict (account_id, seq) do nothing
      returning account_id, seq, local_date, day, ${KEY}, type, amount_minor, ${ROLLUP_SUB} as sub,
        entry->>'status' as status, 1 as n
    ),
    daily as (${upsertDaily}),
    months as (${upsertMonths}),
    days as (${upsertDays}),
    standing as (${standingUpsert(sql.raw('added'))})
    select count(*)::int as added from added`);
  return result?.added ?? 0;
}

/**
 * Builds the rollups again from the whole ledger (after a restore, or for a ledger written before them):
 * in one transaction, so GET /v1/kpis answers the old figures or the new ones, never half.
 */
export async function rebuildKpiRollups(db: DbOrTx): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`lock table account_ledger in share mode`);
    await tx.execute(sql`truncate kpi_daily, kpi_account_months, kpi_account_days`);
    const source = sql`(select account_id, local_date, ${KEY}, type, amount_minor, ${ROLLUP_SUB} as sub, 1 as n
      from account_ledger)`;
    for (const upsert of rollupUpserts(source)) await tx.execute(upsert);
  });
  await rebuildAccountStanding(db);
}

/** Builds account_standing again from the whole ledger (after the migration that adds it, or a restore). */
export async function rebuildAccountStanding(db: DbOrTx): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`lock table account_ledger in share mode`);
    await tx.execute(sql`truncate account_standing`);
    await tx.execute(
      standingUpsert(
        sql`(select account_id, seq, local_date, day, ${STANDING}, type, entry->>'status' as status from account_ledger)`,
      ),
    );
  });
}
