// Champion against challenger (GET /v1/kpis/champion-challenger): for each split of the segmentation that
// names a strategy, the KPI function's recovery, kept and right-party-contact rates of each arm from the
// ledger, each with a 95 % interval, and whether the arms differ by more than chance.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { segmentations } from '../../db/schema';
import { RIGHT_PARTY_OUTCOMES } from '../../strategies/core/events';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import { rate } from '../../strategies/kpis';
import type { Segmentation, StrategyArms } from '../../strategies/segmentation';
import {
  ratioEstimate,
  ratioInterval,
  ratioZTest,
  twoProportionZTest,
  wilsonInterval,
  type Interval,
  type RatioEstimate,
  type Significance,
} from '../../strategies/stats';

export type Arm = 'champion' | 'challenger';

export interface Split {
  champion: string;
  challenger: string;
  /** Where the split is: "rule-id" or "default", with the segmentation versions that had it. */
  rules: { rule: string; versions: number[] }[];
}

/** Every champion/challenger pair any published segmentation version had where the strategy is one of the arms. */
export async function splitsOf(db: DbOrTx, strategyId: string): Promise<Split[]> {
  const rows = await db.select({ version: segmentations.version, rules: segmentations.rules }).from(segmentations);
  const splits = new Map<string, Split>();
  for (const row of rows.sort((a, b) => a.version - b.version)) {
    const doc = row.rules as Segmentation;
    const arms: [string, StrategyArms][] = [
      ...doc.rules.map((r): [string, StrategyArms] => [r.id, r]),
      ['default', doc.default],
    ];
    for (const [rule, a] of arms) {
      if (!a.challenger || (a.strategy !== strategyId && a.challenger.strategy !== strategyId)) continue;
      const id = JSON.stringify([a.strategy, a.challenger.strategy]);
      const split = splits.get(id) ?? { champion: a.strategy, challenger: a.challenger.strategy, rules: [] };
      const at = split.rules.find((r) => r.rule === rule);
      if (at) at.versions.push(row.version);
      else split.rules.push({ rule, versions: [row.version] });
      splits.set(id, split);
    }
  }
  return [...splits.values()];
}

export interface ArmFigures {
  arm: Arm;
  strategy: string;
  accounts: number;
  opened: number;
  placed: string;
  recovered: string;
  recoveryRate: number | null;
  recoveryRateInterval: Interval | null;
  promisesKept: number;
  promisesBroken: number;
  keptRate: number | null;
  keptRateInterval: Interval | null;
  attempts: number;
  rightPartyContacts: number;
  rpcRate: number | null;
  rpcRateInterval: Interval | null;
}

export interface ArmComparison {
  currency: string;
  arms: ArmFigures[];
  difference: { recoveryRate: Significance | null; keptRate: Significance | null; rpcRate: Significance | null };
}

interface ArmTally {
  accounts: number;
  opened: number;
  estimate: RatioEstimate;
  placed: number;
  recovered: number;
  kept: number;
  broken: number;
  attempts: number;
  rpc: number;
}

type Row = Record<string, unknown>;

/** The figures of both arms of a split over [from, to], one comparison per currency. */
export async function compareArms(
  db: DbOrTx,
  split: Split,
  period: { from: string; to: string },
): Promise<ArmComparison[]> {
  const rows = await db.execute<Row>(sql`
    with per_account as (
      select arm, currency, account_id,
        coalesce(sum(amount_minor) filter (where type = 'opened'), 0)::numeric as placed,
        coalesce(sum(amount_minor) filter (where type = 'payment'), 0)::numeric as paid,
        count(*) filter (where type = 'opened') as opened,
        count(*) filter (where type = 'promise_kept') as kept,
        count(*) filter (where type = 'promise_broken') as broken,
        count(*) filter (where type in ('message', 'task')) as attempts,
        count(*) filter (where type = 'reply' or (type = 'contact_outcome' and entry->>'outcome' in (${sql.join(
          [...RIGHT_PARTY_OUTCOMES].map((o) => sql`${o}`),
          sql`, `,
        )}))) as rpc
      from account_ledger
      where local_date between ${period.from}::date and ${period.to}::date
        and ((strategy_id = ${split.champion} and arm = 'champion')
          or (strategy_id = ${split.challenger} and arm = 'challenger'))
      group by arm, currency, account_id
    ), units as (
      select *, least(placed, paid) as recovered from per_account
    )
    select arm, currency, count(*)::int as accounts, sum(opened)::int as opened,
      count(*) filter (where placed > 0)::int as n,
      sum(placed)::text as sum_x, sum(recovered)::text as sum_y,
      sum(placed * placed) filter (where placed > 0)::text as sum_xx,
      sum(recovered * recovered) filter (where placed > 0)::text as sum_yy,
      sum(placed * recovered) filter (where placed > 0)::text as sum_xy,
      sum(kept)::int as kept, sum(broken)::int as broken, sum(attempts)::int as attempts, sum(rpc)::int as rpc
    from units group by arm, currency`);
  const byCurrency = new Map<string, Partial<Record<Arm, ArmTally>>>();
  for (const r of rows) {
    const n = (v: unknown) => Number(v ?? 0);
    const moments = {
      n: n(r.n),
      sumX: n(r.sum_x),
      sumY: n(r.sum_y),
      sumXX: n(r.sum_xx),
      sumYY: n(r.sum_yy),
      sumXY: n(r.sum_xy),
    };
    const arms = byCurrency.get(String(r.currency)) ?? {};
    arms[r.arm as Arm] = {
      accounts: n(r.accounts),
      opened: n(r.opened),
      estimate: ratioEstimate(moments),
      placed: moments.sumX,
      recovered: moments.sumY,
      kept: n(r.kept),
      broken: n(r.broken),
      attempts: n(r.attempts),
      rpc: n(r.rpc),
    };
    byCurrency.set(String(r.currency), arms);
  }
  const empty: ArmTally = {
    accounts: 0,
    opened: 0,
    estimate: ratioEstimate({ n: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 }),
    placed: 0,
    recovered: 0,
    kept: 0,
    broken: 0,
    attempts: 0,
    rpc: 0,
  };
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, arms]) => {
      const champion = arms.champion ?? empty;
      const challenger = arms.challenger ?? empty;
      // A right-party contact the debtor started (a reply) can outnumber attempts: capped, as rpcRate is.
      const rpcHits = (t: ArmTally) => Math.min(t.rpc, t.attempts);
      return {
        currency,
        arms: [
          figures('champion', split.champion, champion, currency),
          figures('challenger', split.challenger, challenger, currency),
        ],
        difference: {
          recoveryRate: ratioZTest(champion.estimate, challenger.estimate),
          keptRate: twoProportionZTest(
            champion.kept,
            champion.kept + champion.broken,
            challenger.kept,
            challenger.kept + challenger.broken,
          ),
          rpcRate: twoProportionZTest(rpcHits(champion), champion.attempts, rpcHits(challenger), challenger.attempts),
        },
      };
    });
}

function figures(arm: Arm, strategy: string, t: ArmTally, currency: string): ArmFigures {
  const digits = currencyDigits(currency);
  return {
    arm,
    strategy,
    accounts: t.accounts,
    opened: t.opened,
    placed: formatMinor(t.placed, digits),
    recovered: formatMinor(t.recovered, digits),
    recoveryRate: rate(t.recovered, t.placed),
    recoveryRateInterval: ratioInterval(t.estimate),
    promisesKept: t.kept,
    promisesBroken: t.broken,
    keptRate: rate(t.kept, t.kept + t.broken),
    keptRateInterval: wilsonInterval(t.kept, t.kept + t.broken),
    attempts: t.attempts,
    rightPartyContacts: t.rpc,
    rpcRate: rate(t.rpc, t.attempts),
    rpcRateInterval: wilsonInterval(Math.min(t.rpc, t.attempts), t.attempts),
  };
}
