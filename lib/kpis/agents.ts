// Agent productivity (GET /v1/kpis/agents): each agent's finished tasks, the promises obtained on their
// accounts, and the payments that followed their contacts within N days.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import { MESSAGE_CHANNELS } from '../../strategies/definition';

/** Delivery receipts arrive as contact outcomes named `<message channel>_<status>` (email_delivered, whatsapp_read): not a person's contact. */
const RECEIPT = `^(${MESSAGE_CHANNELS.join('|')})_`;

export const AGENT_FORMULAS = {
  agentId: 'the agent (an API key’s agent id).',
  tasksDone:
    'agent tasks assigned to the agent and completed (status done) in the period, by the local date of completion in the debtor’s zone.',
  promisesObtained:
    '`promise_accepted` ledger entries in the period on accounts assigned to the agent when the promise was recorded.',
  collected:
    "per currency, Σ `payment` ledger amounts in the period on accounts where the agent had a contact (a task of theirs completed, or a contact outcome other than a delivery receipt registered while the account was assigned to them) less than withinDays × 24 h before the payment (withinDays 0 counts nothing); a payment after two agents' contacts counts for each.",
} as const;

export interface AgentProductivity {
  agentId: string;
  tasksDone: number;
  promisesObtained: number;
  collected: { currency: string; amount: string; payments: number }[];
}

export async function agentProductivity(
  db: DbOrTx,
  q: { from: string; to: string; withinDays: number; strategy?: string },
): Promise<AgentProductivity[]> {
  const strategy = (column: string) => (q.strategy ? sql` and ${sql.raw(column)} = ${q.strategy}` : sql``);
  const localDate = sql`(t.completed_at at time zone coalesce(d.timezone, 'UTC'))::date`;
  const rows = await db.execute<Record<string, unknown>>(sql`
    with contacts as (
      select t.assigned_agent_id as agent_id, t.account_id, t.completed_at as at, ${localDate} as local_date,
        'task' as kind
      from agent_tasks t
      join accounts a on a.id = t.account_id
      join debtors d on d.id = a.debtor_id
      where t.status = 'done' and t.assigned_agent_id is not null and t.completed_at is not null${strategy('a.strategy_id')}
        and ${localDate} between ${q.from}::date - ${q.withinDays + 1}::int and ${q.to}::date
      union all
      select l.agent_id, l.account_id, l.at, l.local_date, 'outcome'
      from account_ledger l
      where l.type = 'contact_outcome' and l.agent_id is not null${strategy('l.strategy_id')}
        and l.entry->>'outcome' !~ ${RECEIPT}
        and l.local_date between ${q.from}::date - ${q.withinDays + 1}::int and ${q.to}::date
    ),
    activity as (
      select agent_id,
        count(*) filter (where kind = 'task' and local_date >= ${q.from}::date)::int as tasks_done
      from contacts group by agent_id
    ),
    promises as (
      select l.agent_id, count(*)::int as promises
      from account_ledger l
      where l.type = 'promise_accepted' and l.agent_id is not null${strategy('l.strategy_id')}
        and l.local_date between ${q.from}::date and ${q.to}::date
      group by l.agent_id
    ),
    collected as (
      select c.agent_id, p.currency, sum(p.amount_minor)::text as amount, count(*)::int as payments
      from account_ledger p
      cross join lateral (
        select distinct c.agent_id from contacts c
        where c.account_id = p.account_id and c.at <= p.at
          and p.at < c.at + make_interval(days => ${q.withinDays}::int)) c
      where p.type = 'payment' and p.local_date between ${q.from}::date and ${q.to}::date
      group by c.agent_id, p.currency
    ),
    agents as (
      select agent_id from activity where tasks_done > 0
      union select agent_id from promises union select agent_id from collected
    )
    select g.agent_id, coalesce(a.tasks_done, 0) as tasks_done,
      coalesce(p.promises, 0) as promises,
      coalesce((select json_agg(json_build_object('currency', c.currency, 'amount', c.amount, 'payments', c.payments)
        order by c.currency) from collected c where c.agent_id = g.agent_id), '[]') as collected
    from agents g
    left join activity a on a.agent_id = g.agent_id
    left join promises p on p.agent_id = g.agent_id
    order by g.agent_id`);
  return rows.map((r) => ({
    agentId: String(r.agent_id),
    tasksDone: Number(r.tasks_done),
    promisesObtained: Number(r.promises),
    collected: (r.collected as { currency: string; amount: string; payments: number }[]).map((c) => ({
      currency: c.currency,
      amount: formatMinor(Number(c.amount), currencyDigits(c.currency)),
      payments: c.payments,
    })),
  }));
}
