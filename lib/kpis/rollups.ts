// GET /v1/kpis from the rollups the ledger append keeps (db/schema/kpi-rollups.ts): the same figures as the
// plain GROUP BY over the raw ledger (./ledger-kpis.ts), without reading the ledger.
//  - additive figures (opened, placed, collected, promises, kept, broken, right-party contacts, the maps):
//    sums of kpi_daily over the period's days;
//  - accounts (distinct accounts with an entry in the period): kpi_account_months when the grouping is by
//    account-level dimensions only (strategy, version, arm, country) — about one row per active account and
//    month, each month's day bitmask tested against the period's days — else kpi_account_days;
//  - recovered (Σ per account of min(placed, paid)): the days of kpi_account_days with money.
import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { DbOrTx } from '../../db/client';
import { RIGHT_PARTY_OUTCOMES } from '../../strategies/core/events';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import { rate } from '../../strategies/kpis';
import {
  finishGroups,
  idOf,
  keyOf,
  keysOf,
  MAP_FIELDS,
  namesOf,
  periodFilter,
  zeroGroup,
  type KpiDimension,
  type KpiGroup,
  type KpiQuery,
  type MapType,
  type Row,
} from './ledger-kpis';

/** Dimensions kpi_account_months keeps per account and month. */
const ACCOUNT_LEVEL: ReadonlySet<KpiDimension> = new Set(['strategy', 'version', 'arm', 'country']);

const currencyFilter = (q: KpiQuery) => (q.currency ? sql` and currency = ${q.currency}` : sql``);

/** The months of [from, to] and, for each, the bits (day d = bit d−1) of its days in the period. */
export function periodMonths(from: string, to: string): { months: string[]; masks: number[] } {
  const first = DateTime.fromISO(from, { zone: 'UTC' });
  const last = DateTime.fromISO(to, { zone: 'UTC' });
  const months: string[] = [];
  const masks: number[] = [];
  for (let m = first.startOf('month'); m <= last; m = m.plus({ months: 1 })) {
    const lo = m.hasSame(first, 'month') ? first.day : 1;
    const hi = m.hasSame(last, 'month') ? last.day : 31;
    months.push(m.toISODate() ?? '');
    masks.push(2 ** hi - 2 ** (lo - 1));
  }
  return { months, masks };
}

function accountsQuery(q: KpiQuery): SQL {
  const perAccount = q.groupBy.every((d) => ACCOUNT_LEVEL.has(d))
    ? (() => {
        const { months, masks } = periodMonths(q.from, q.to);
        return sql`
          select ${keysOf(q.groupBy)}currency, account_id
          from kpi_account_months m
          join unnest(${`{${months.join(',')}}`}::date[], ${`{${masks.join(',')}}`}::int[]) as p(month, mask)
            on m.month = p.month
          where m.days & p.mask <> 0${currencyFilter(q)}
          group by ${namesOf(q.groupBy)}currency, account_id`;
      })()
    : sql`
        select ${keysOf(q.groupBy)}currency, account_id
        from kpi_account_days
        where ${periodFilter(q)}
        group by ${namesOf(q.groupBy)}currency, account_id`;
  return sql`
    select ${namesOf(q.groupBy)}currency, count(*)::int as accounts
    from (${perAccount}) a
    group by ${namesOf(q.groupBy)}currency`;
}

function recoveredQuery(q: KpiQuery): SQL {
  return sql`
    select ${namesOf(q.groupBy)}currency, sum(greatest(0, least(placed, paid)))::text as recovered
    from (
      select ${keysOf(q.groupBy)}currency, account_id,
        coalesce(sum(placed_minor), 0) as placed, coalesce(sum(paid_minor), 0) as paid
      from kpi_account_days
      where ${periodFilter(q)} and (placed_minor is not null or paid_minor is not null)
      group by ${namesOf(q.groupBy)}currency, account_id
    ) a
    group by ${namesOf(q.groupBy)}currency`;
}

const DAILY_TYPES = [
  'opened',
  'payment',
  'payment_reversed',
  'promise_accepted',
  'promise_kept',
  'promise_broken',
  'reply',
  'contact_outcome',
  ...Object.keys(MAP_FIELDS),
];

function dailyQuery(q: KpiQuery): SQL {
  return sql`
    select ${keysOf(q.groupBy)}currency, type,
      case when type in ('message', 'task') then channel else sub end as subkey,
      sum(entries)::int as n, sum(amount_minor)::text as amount
    from kpi_daily
    where ${periodFilter(q)} and type in (${sql.join(
      DAILY_TYPES.map((t) => sql`${t}`),
      sql`, `,
    )})
    group by ${namesOf(q.groupBy)}currency, type, subkey`;
}

interface Sums {
  placed: number;
  recovered: number;
}

/** The figures of GET /v1/kpis, equal to rawLedgerKpis over the same ledger. */
export async function rollupKpis(db: DbOrTx, q: KpiQuery): Promise<KpiGroup[]> {
  const [accounts, recovered, daily] = await Promise.all([
    db.execute<Row>(accountsQuery(q)),
    db.execute<Row>(recoveredQuery(q)),
    db.execute<Row>(dailyQuery(q)),
  ]);
  const groups = new Map<string, KpiGroup>();
  const sums = new Map<KpiGroup, Sums>();
  for (const row of accounts) {
    const group = { ...zeroGroup(String(row.currency), keyOf(q, row)), accounts: Number(row.accounts) };
    groups.set(idOf(q, row), group);
    sums.set(group, { placed: 0, recovered: 0 });
  }
  for (const row of recovered) {
    const group = groups.get(idOf(q, row));
    if (group) (sums.get(group) as Sums).recovered = Number(row.recovered ?? 0);
  }
  const collected = new Map<KpiGroup, number>();
  for (const row of daily) {
    const group = groups.get(idOf(q, row));
    if (!group) continue;
    const n = Number(row.n);
    const type = String(row.type);
    const sub = typeof row.subkey === 'string' ? row.subkey : 'unknown';
    switch (type) {
      case 'opened':
        group.opened += n;
        (sums.get(group) as Sums).placed += Number(row.amount ?? 0);
        break;
      case 'payment':
        collected.set(group, (collected.get(group) ?? 0) + Number(row.amount ?? 0));
        break;
      case 'payment_reversed':
        // Collected is net of refunds and chargebacks.
        collected.set(group, (collected.get(group) ?? 0) - Number(row.amount ?? 0));
        break;
      case 'promise_accepted':
        group.promises += n;
        break;
      case 'promise_kept':
        group.promisesKept += n;
        break;
      case 'promise_broken':
        group.promisesBroken += n;
        break;
      case 'reply':
        group.rightPartyContacts += n;
        break;
      case 'contact_outcome':
        if (RIGHT_PARTY_OUTCOMES.has(sub)) group.rightPartyContacts += n;
        break;
      default: {
        const map = group[MAP_FIELDS[type as MapType]];
        map[sub] = (map[sub] ?? 0) + n;
      }
    }
  }
  for (const group of groups.values()) {
    const digits = currencyDigits(group.currency);
    const { placed, recovered: rec } = sums.get(group) as Sums;
    group.placed = formatMinor(placed, digits);
    group.collected = formatMinor(collected.get(group) ?? 0, digits);
    group.recovered = formatMinor(rec, digits);
    group.recoveryRate = rate(rec, placed);
    group.keptRate = rate(group.promisesKept, group.promisesKept + group.promisesBroken);
  }
  return finishGroups(q, groups);
}
