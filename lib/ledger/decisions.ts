// "Why did I get this?": an account's contact decisions from the ledger (messages, tasks, deferrals, skips),
// each joined to the debtor-wide contact ledger for the jurisdiction pack version it was decided under.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';

export interface LedgerDecision {
  seq: number;
  at: Date;
  type: 'message' | 'task' | 'deferred' | 'skipped';
  stage: string;
  step: string | null;
  channel: string | null;
  strategyId: string | null;
  strategyVersion: number | null;
  arm: string | null;
  reason: string | null;
  entry: Record<string, unknown>;
  packVersion: string | null;
  until: Date | null;
}

/**
 * The contact ledger keys a sent contact `account/vN/step` and a deferral or skip `account/vN/step/kind/n`,
 * n counting that step's deferrals (or skips) in timeline order (workflows/account.ledger.ts): the same
 * ordinal comes back here from the ledger, whose seq is the timeline position.
 */
export async function accountDecisions(db: DbOrTx, accountId: string): Promise<LedgerDecision[]> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    with l as (
      select *, coalesce(entry->>'key', stage || '/' || coalesce(channel, 'unknown')) as step,
        case when entry ? 'key'
          then row_number() over (partition by entry->>'key', type order by seq) else 0 end as ordinal
      from account_ledger
      where account_id = ${accountId} and type in ('message', 'task', 'deferred', 'skipped')
    )
    select l.seq, l.at, l.type, l.stage, l.entry->>'key' as step, l.channel, l.strategy_id, l.strategy_version,
      l.arm, l.reason, l.entry, cd.pack_version, cd.deferred_until
    from l
    left join contact_decisions cd on cd.account_id = l.account_id
      and cd.attempt_key = l.account_id || '/v' || l.strategy_version || '/' || l.step ||
        case when l.type in ('message', 'task') then '' else '/' || l.type || '/' || l.ordinal end
      and cd.decision = case when l.type in ('message', 'task') then 'sent' else l.type end
    order by l.seq`);
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at as string),
    type: r.type as LedgerDecision['type'],
    stage: r.stage as string,
    step: (r.step as string | null) ?? null,
    channel: (r.channel as string | null) ?? null,
    strategyId: (r.strategy_id as string | null) ?? null,
    strategyVersion: r.strategy_version === null ? null : Number(r.strategy_version),
    arm: (r.arm as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    entry: r.entry as Record<string, unknown>,
    packVersion: (r.pack_version as string | null) ?? null,
    until: r.deferred_until ? new Date(r.deferred_until as string) : null,
  }));
}
