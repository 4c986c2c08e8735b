// Where each account stood on a date, from the ledger: open or closed, its days past due and so its aging
// bucket, and its balance. Aging (GET /v1/kpis/aging) counts the open and handed-off accounts of one date,
// roll and cure rates (GET /v1/kpis/roll-rates) follow the accounts of one date to another.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import { rate } from '../../strategies/kpis';

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** What an account's standing can be grouped by: the ledger columns of its last entry on or before the date. */
export const STANDING_DIMENSIONS = {
  strategy: sql`strategy_id`,
  version: sql`strategy_version`,
  arm: sql`arm`,
  stage: sql`stage`,
  agent: sql`agent_id`,
  country: sql`country`,
} as const;
export type StandingDimension = keyof typeof STANDING_DIMENSIONS;

export const STANDING_METHOD =
  "An account's standing on date D comes from its ledger: its last entry with a local date on or before D gives its days past due (that entry's `day`, the core's days since the due date of the oldest unpaid invoice) plus the calendar days from that entry to D, its stage, strategy, arm, agent and country; it is closed on D when its last `closed` or `reopened` entry on or before D is a `closed` (paid, written_off). An account without entries by D did not exist yet. Between entries the days past due move with the calendar; a partial payment that clears the oldest invoice shows in the account's next entry.";

export const BALANCE_METHOD =
  "Balance on D: today's balance (the accounts read model) plus what the ledger shows was taken off it after D (payments, write-offs, upheld dispute adjustments) minus what was added after D (invoices received after D in the debtor's zone, payment-plan interest, payment reversals), never below 0. Today and later it is the read model's balance; before, an overpayment kept as credit is counted as if it had reduced the balance.";

export interface StandingFilters {
  strategy?: string;
  currency?: string;
}

const bucketOf = (days: SQL) => sql`case when ${days} <= 0 then 'current' when ${days} <= 30 then '1-30'
  when ${days} <= 60 then '31-60' when ${days} <= 90 then '61-90' else '90+' end`;
const rankOf = (bucket: SQL) =>
  sql`array_position(array[${sql.raw(AGING_BUCKETS.map((b) => `'${b}'`).join(', '))}]::text[], ${bucket})`;

/**
 * One row per account that existed on the date: account_id, currency, as_of, days, bucket, closed (the
 * closing status or null), the standing dimensions and, when asked, balance (minor units). A null date is
 * each debtor's own local today.
 */
export function standingOn(
  date: string | null,
  f: StandingFilters,
  withBalance: boolean,
  /** Every account searches its ledger (what account_standing must agree with; the property test's reference). */
  opts: { ledgerOnly?: boolean } = {},
): SQL {
  return standingOnDates([date], [''], f, withBalance, opts);
}

const DIMENSION_COLUMNS = ['strategy_id', 'strategy_version', 'arm', 'stage', 'agent_id', 'country'];

/**
 * standingOn for several dates in one pass over the accounts: the columns of date k carry suffixes[k]
 * (as_of, days, bucket, closed, the dimensions, balance), plus `exists<suffix>` (the account existed on it);
 * an account is a row when it existed on any of them.
 */
function standingOnDates(
  dates: (string | null)[],
  suffixes: string[],
  f: StandingFilters,
  withBalance: boolean,
  opts: { ledgerOnly?: boolean },
): SQL {
  // The debtor's zone is read only where it matters: today's date (no date given) and the invoices received
  // after D (balance).
  const zoned = dates.includes(null) || withBalance;
  const tz = zoned ? sql`coalesce(d.timezone, 'UTC')` : sql`'UTC'`;
  const perDate = dates.map((date, k) => {
    const x = suffixes[k] ?? `_${k}`;
    const asOf = sql.raw(`b.as_of${x}`);
    const last = sql.raw(`last${k}`);
    const st = sql.raw(`st${k}`);
    // The account's latest entry is on or before D (the common case, D today): account_standing holds its
    // standing and nothing in its ledger is after D. Only the other accounts search their ledger; the
    // searches are gated on that (a condition on the outer row only: PostgreSQL skips the subquery).
    const current = opts.ledgerOnly ? sql`false` : sql`coalesce(b.local_date <= ${asOf}, false)`;
    // No invoice is received after the debtor's today; before it, those received after D were not owed yet.
    const invoicesAfter = sql`case when ${asOf} >= b.today then 0 else coalesce((
      select sum(i.amount_minor) from invoices i
      where i.account_id = b.account_id and (i.created_at at time zone b.tz)::date > ${asOf}), 0) end`;
    const ledgerAfter = sql`case when ${last}.local_date is null then 0 else coalesce((
      select sum(case when l.type = 'plan_accepted'
          -- interest is a decimal string; amount_minor ÷ total is the currency's 10^digits
          then -round((l.entry->>'interest')::numeric * l.amount_minor / nullif((l.entry->>'total')::numeric, 0))
          -- a reversal after D had put money back on the balance: before it, that much less was owed
          when l.type = 'payment_reversed' then -l.amount_minor
          else l.amount_minor end)
      from account_ledger l
      where l.account_id = b.account_id and l.local_date > ${asOf}
        and l.type in ('payment', 'payment_reversed', 'written_off', 'dispute_resolved', 'plan_accepted')), 0) end`;
    // The searched entry when there is one, else account_standing's (the ledger's local_date is never null).
    const pick = (column: string) =>
      sql.raw(`case when last${k}.local_date is null then b.${column} else last${k}.${column} end`);
    const days = sql`(${pick('day')} + (${asOf} - ${pick('local_date')}))`;
    const closed = sql`case when ${last}.local_date is null then b.closed_status
      when ${st}.type = 'closed' then coalesce(${st}.status, 'closed') end`;
    const exists = sql`(${current} or ${last}.local_date is not null)`;
    const as = (name: string) => sql.raw(`${name}${x}`);
    return {
      asOf: sql`${date === null ? sql`(now() at time zone ${tz})::date` : sql`${date}::date`} as ${as('as_of')}`,
      exists,
      columns: sql`${asOf} as ${as('as_of')}, ${exists} as ${as('exists')}, ${days} as ${as('days')},
        ${bucketOf(days)} as ${as('bucket')}, ${closed} as ${as('closed')},
        ${sql.join(
          DIMENSION_COLUMNS.map((c) => sql`${pick(c)} as ${as(c)}`),
          sql`, `,
        )}${withBalance ? sql`, greatest(0, b.balance_minor + ${ledgerAfter} - ${invoicesAfter})::bigint as ${as('balance')}` : sql``}`,
      laterals: sql`
    left join lateral (
      select l.local_date, l.day, l.stage, l.strategy_id, l.strategy_version, l.arm, l.agent_id, l.country
      from account_ledger l
      where not ${current} and l.account_id = b.account_id and l.local_date <= ${asOf}
      order by l.seq desc limit 1) ${last} on true
    left join lateral (
      select l.type, l.entry->>'status' as status
      from account_ledger l
      -- account_standing knows the account's latest closed/reopened entry: none, no search; else from there
      -- (an account it does not hold yet, e.g. a ledger restored without it, searches its whole ledger)
      where not ${current} and ${opts.ledgerOnly ? sql`true` : sql`(b.local_date is null or b.close_seq is not null and l.seq <= b.close_seq)`}
        and l.account_id = b.account_id and l.local_date <= ${asOf} and l.type in ('closed', 'reopened')
      order by l.seq desc limit 1) ${st} on true`,
    };
  });
  const base = sql`
      select a.id as account_id, a.currency, a.balance_minor, ${tz} as tz, ${sql.join(
        perDate.map((d) => d.asOf),
        sql`, `,
      )},
        ${zoned ? sql`(now() at time zone ${tz})::date` : sql`null::date`} as today,
        s.local_date, s.day, s.stage, s.strategy_id, s.strategy_version, s.arm, s.agent_id, s.country,
        s.close_seq, s.closed_status
      from accounts a
      ${zoned ? sql`join debtors d on d.id = a.debtor_id` : sql``}
      left join account_standing s on s.account_id = a.id
      where true${f.currency ? sql` and a.currency = ${f.currency}` : sql``}`;
  const rest = sql`${sql.join(
    perDate.map((d) => d.laterals),
    sql``,
  )}
    where ${sql.join(
      perDate.map((d) => d.exists),
      sql` or `,
    )}`;
  const columns = sql`b.account_id, b.currency, ${sql.join(
    perDate.map((d) => d.columns),
    sql`, `,
  )}`;
  // With a zone, materialized: PostgreSQL inlines a subquery's columns, and the zone conversion then ran
  // once per use instead of once per account (it cost more than the rest of the row).
  return zoned
    ? sql`with b as materialized (${base}) select ${columns} from b ${rest}`
    : sql`select ${columns} from (${base}) b ${rest}`;
}

const strategyFilter = (f: StandingFilters) => (f.strategy ? sql` and strategy_id = ${f.strategy}` : sql``);

type Row = Record<string, unknown>;

export interface AgingBucketFigures {
  bucket: AgingBucket;
  accounts: number;
  balance: string;
  accountShare: number | null;
  balanceShare: number | null;
}

export interface AgingGroup {
  key: Record<string, string | number | null>;
  currency: string;
  accounts: number;
  balance: string;
  buckets: AgingBucketFigures[];
}

export async function agingOn(
  db: DbOrTx,
  q: StandingFilters & { asOf: string | null; groupBy: readonly StandingDimension[] },
): Promise<AgingGroup[]> {
  const keys = q.groupBy.map((d, i) => sql`${STANDING_DIMENSIONS[d]} as k${sql.raw(String(i))}`);
  const names = q.groupBy.map((_d, i) => sql.raw(`k${i}`));
  const rows = await db.execute<Row>(sql`
    with s as (${standingOn(q.asOf, q, true)})
    select ${sql.join([...keys, sql`currency`, sql`bucket`], sql`, `)},
      count(*)::int as accounts, sum(balance)::text as balance
    from s where closed is null${strategyFilter(q)}
    group by ${sql.join([...names, sql`currency`, sql`bucket`], sql`, `)}`);
  const groups = new Map<string, { key: AgingGroup['key']; currency: string; rows: Row[] }>();
  for (const row of rows) {
    const key = Object.fromEntries(q.groupBy.map((d, i) => [d, (row[`k${i}`] as string | number | null) ?? null]));
    const id = JSON.stringify([key, row.currency]);
    const group = groups.get(id) ?? { key, currency: String(row.currency), rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  if (groups.size === 0 && q.currency && q.groupBy.length === 0)
    groups.set('', { key: {}, currency: q.currency, rows: [] });
  return [...groups.values()]
    .map(({ key, currency, rows: bucketRows }) => {
      const digits = currencyDigits(currency);
      const of = (bucket: AgingBucket) => bucketRows.find((r) => r.bucket === bucket);
      const accounts = bucketRows.reduce((n, r) => n + Number(r.accounts), 0);
      const balance = bucketRows.reduce((n, r) => n + Number(r.balance ?? 0), 0);
      return {
        key,
        currency,
        accounts,
        balance: formatMinor(balance, digits),
        buckets: AGING_BUCKETS.map((bucket) => {
          const n = Number(of(bucket)?.accounts ?? 0);
          const b = Number(of(bucket)?.balance ?? 0);
          return {
            bucket,
            accounts: n,
            balance: formatMinor(b, digits),
            accountShare: rate(n, accounts),
            balanceShare: rate(b, balance),
          };
        }),
      };
    })
    .sort((a, b) => JSON.stringify([a.key, a.currency]).localeCompare(JSON.stringify([b.key, b.currency])));
}

export interface RollRow {
  /** The bucket on `from`. */
  bucket: AgingBucket;
  accounts: number;
  /** {bucket on `to` | closing status: count}. */
  to: Record<string, number>;
  rolled: number;
  rolledToNext: number;
  cured: number;
  rollRate: number | null;
  nextBucketRate: number | null;
  cureRate: number | null;
}

export interface RollGroup {
  currency: string;
  accounts: number;
  delinquent: number;
  curedToCurrent: number;
  cureRate: number | null;
  buckets: RollRow[];
}

/**
 * Accounts open on `from`, followed to `to`: rolled = in a worse bucket, cured = in a better bucket or paid
 * (per bucket); the overall cure rate is DOMAIN's, delinquent accounts current or paid on `to`.
 */
export async function rollRates(db: DbOrTx, q: StandingFilters & { from: string; to: string }): Promise<RollGroup[]> {
  // Both dates in one pass over the accounts: an account that existed on `from` existed on `to` (to ≥ from).
  const rows = await db.execute<Row>(sql`
    with s as (${standingOnDates([q.from, q.to], ['_a', '_b'], q, false, {})})
    select currency, bucket_a as bucket, coalesce(closed_b, bucket_b) as later,
      ${rankOf(sql`bucket_a`)} as from_rank, case when closed_b is null then ${rankOf(sql`bucket_b`)} end as to_rank,
      count(*)::int as n
    from s
    where exists_a and closed_a is null${q.strategy ? sql` and strategy_id_a = ${q.strategy}` : sql``}
    group by 1, 2, 3, 4, 5`);
  const byCurrency = new Map<string, Row[]>();
  for (const row of rows) byCurrency.set(String(row.currency), [...(byCurrency.get(String(row.currency)) ?? []), row]);
  if (byCurrency.size === 0 && q.currency) byCurrency.set(q.currency, []);
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, currencyRows]) => {
      const buckets = AGING_BUCKETS.map((bucket, rank): RollRow => {
        const mine = currencyRows.filter((r) => r.bucket === bucket);
        const count = (pick: (r: Row) => boolean) => mine.filter(pick).reduce((n, r) => n + Number(r.n), 0);
        const toRank = (r: Row) => (r.to_rank === null ? null : Number(r.to_rank) - 1);
        const accounts = count(() => true);
        const rolled = count((r) => (toRank(r) ?? -1) > rank);
        const rolledToNext = count((r) => toRank(r) === rank + 1);
        const cured = count((r) => r.later === 'paid' || (toRank(r) ?? Infinity) < rank);
        return {
          bucket,
          accounts,
          to: Object.fromEntries(mine.map((r) => [String(r.later), Number(r.n)])),
          rolled,
          rolledToNext,
          cured,
          rollRate: rate(rolled, accounts),
          nextBucketRate: rate(rolledToNext, accounts),
          cureRate: rate(cured, accounts),
        };
      });
      const delinquentRows = currencyRows.filter((r) => r.bucket !== 'current');
      const delinquent = delinquentRows.reduce((n, r) => n + Number(r.n), 0);
      const curedToCurrent = delinquentRows
        .filter((r) => r.later === 'current' || r.later === 'paid')
        .reduce((n, r) => n + Number(r.n), 0);
      return {
        currency,
        accounts: buckets.reduce((n, b) => n + b.accounts, 0),
        delinquent,
        curedToCurrent,
        cureRate: rate(curedToCurrent, delinquent),
        buckets,
      };
    });
}
