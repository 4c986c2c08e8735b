// KPIs from the ledger: the figures of strategies/kpis.ts computed in SQL over account_ledger with GROUP BY,
// so no timeline is loaded. A group is the set of ledger entries sharing its key; its figures are the KPI
// function over those entries, each account's entries as its timeline. GET /v1/kpis answers the same
// figures from the rollups (./rollups.ts); this plain GROUP BY over the raw ledger is their reference
// (tests) and the bench's baseline.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { RIGHT_PARTY_OUTCOMES } from '../../strategies/core/events';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import { rate, zeroKpis, type Kpis } from '../../strategies/kpis';

/** What a figure can be grouped by, and the ledger column that says it (per entry, as it was written). */
export const KPI_DIMENSIONS = {
  strategy: sql`strategy_id`,
  version: sql`strategy_version`,
  arm: sql`arm`,
  stage: sql`stage`,
  channel: sql`channel`,
  agent: sql`agent_id`,
  country: sql`country`,
  day: sql`local_date::text`,
} as const;
export type KpiDimension = keyof typeof KPI_DIMENSIONS;

export interface KpiQuery {
  from: string;
  to: string;
  groupBy: readonly KpiDimension[];
  currency?: string;
}

export type KpiGroup = Kpis & { key: Record<string, string | number | null> };

export const MAP_FIELDS = {
  message: 'messages',
  task: 'tasks',
  deferred: 'deferred',
  skipped: 'skipped',
  closed: 'closed',
} as const;
export type MapType = keyof typeof MAP_FIELDS;

export const keysOf = (dims: readonly KpiDimension[]) =>
  dims.length === 0
    ? sql``
    : sql`${sql.join(
        dims.map((d, i) => sql`${KPI_DIMENSIONS[d]} as k${sql.raw(String(i))}`),
        sql`, `,
      )}, `;
export const namesOf = (dims: readonly KpiDimension[]) =>
  dims.length === 0 ? sql`` : sql`${sql.raw(dims.map((_d, i) => `k${i}`).join(', '))}, `;

export function periodFilter(q: KpiQuery): SQL {
  return sql`local_date between ${q.from}::date and ${q.to}::date${q.currency ? sql` and currency = ${q.currency}` : sql``}`;
}

/** Per account first (placed and paid are compared per account), then per group. */
function scalarQuery(q: KpiQuery): SQL {
  const rightParty = [...RIGHT_PARTY_OUTCOMES];
  return sql`
    with per_account as (
      select ${keysOf(q.groupBy)}currency, account_id,
        count(*) filter (where type = 'opened') as opened,
        coalesce(sum(amount_minor) filter (where type = 'opened'), 0) as placed,
        coalesce(sum(amount_minor) filter (where type = 'payment'), 0)
          - coalesce(sum(amount_minor) filter (where type = 'payment_reversed'), 0) as paid,
        count(*) filter (where type = 'promise_accepted') as promises,
        count(*) filter (where type = 'promise_kept') as kept,
        count(*) filter (where type = 'promise_broken') as broken,
        count(*) filter (where type = 'reply'
          or (type = 'contact_outcome' and entry->>'outcome' in (${sql.join(
            rightParty.map((o) => sql`${o}`),
            sql`, `,
          )}))) as rpc
      from account_ledger
      where ${periodFilter(q)}
      group by ${namesOf(q.groupBy)}currency, account_id
    )
    select ${namesOf(q.groupBy)}currency, count(*)::int as accounts, sum(opened)::int as opened,
      sum(placed)::text as placed, sum(paid)::text as collected, sum(greatest(0, least(placed, paid)))::text as recovered,
      sum(promises)::int as promises, sum(kept)::int as kept, sum(broken)::int as broken, sum(rpc)::int as rpc
    from per_account
    group by ${namesOf(q.groupBy)}currency`;
}

function mapQuery(q: KpiQuery): SQL {
  return sql`
    select ${keysOf(q.groupBy)}currency, type,
      coalesce(case type when 'closed' then entry->>'status' when 'message' then channel when 'task' then channel
        else entry->>'reason' end, 'unknown') as sub,
      count(*)::int as n
    from account_ledger
    where ${periodFilter(q)} and type in ('message', 'task', 'deferred', 'skipped', 'closed')
    group by ${namesOf(q.groupBy)}currency, type, sub`;
}

export type Row = Record<string, unknown>;

export const keyOf = (q: KpiQuery, row: Row) =>
  Object.fromEntries(
    q.groupBy.map((d, i) => {
      const v = row[`k${i}`];
      return [d, v === null || v === undefined ? null : typeof v === 'string' ? v : Number(v)];
    }),
  );
export const idOf = (q: KpiQuery, row: Row) =>
  JSON.stringify([...q.groupBy.map((_d, i) => row[`k${i}`] ?? null), row.currency]);

export function zeroGroup(currency: string, key: KpiGroup['key']): KpiGroup {
  return { ...zeroKpis(currency), key };
}

export async function rawLedgerKpis(db: DbOrTx, q: KpiQuery): Promise<KpiGroup[]> {
  const [scalars, maps] = await Promise.all([db.execute<Row>(scalarQuery(q)), db.execute<Row>(mapQuery(q))]);
  const groups = new Map<string, KpiGroup>();
  for (const row of scalars) {
    const currency = String(row.currency);
    const digits = currencyDigits(currency);
    const minor = (v: unknown) => Number(v ?? 0);
    const placed = minor(row.placed);
    const recovered = minor(row.recovered);
    const kept = Number(row.kept);
    const broken = Number(row.broken);
    groups.set(idOf(q, row), {
      ...zeroGroup(currency, keyOf(q, row)),
      accounts: Number(row.accounts),
      opened: Number(row.opened),
      placed: formatMinor(placed, digits),
      collected: formatMinor(minor(row.collected), digits),
      recovered: formatMinor(recovered, digits),
      recoveryRate: rate(recovered, placed),
      promises: Number(row.promises),
      promisesKept: kept,
      promisesBroken: broken,
      keptRate: rate(kept, kept + broken),
      rightPartyContacts: Number(row.rpc),
    });
  }
  for (const row of maps) {
    const group = groups.get(idOf(q, row));
    if (!group) continue;
    group[MAP_FIELDS[row.type as MapType]][String(row.sub)] = Number(row.n);
  }
  return finishGroups(q, groups);
}

/** Attempts and the RPC rate from the maps, the groups in key order; zeros for a currency asked without activity. */
export function finishGroups(q: KpiQuery, groups: Map<string, KpiGroup>): KpiGroup[] {
  for (const group of groups.values()) {
    group.attempts = [...Object.values(group.messages), ...Object.values(group.tasks)].reduce((a, b) => a + b, 0);
    group.rpcRate = rate(group.rightPartyContacts, group.attempts);
  }
  const sorted = [...groups.values()].sort((a, b) =>
    JSON.stringify([a.key, a.currency]).localeCompare(JSON.stringify([b.key, b.currency])),
  );
  // A period without activity answers zeros and nulls for the currency asked, never an error.
  if (sorted.length === 0 && q.currency && q.groupBy.length === 0) return [zeroGroup(q.currency, {})];
  return sorted;
}
