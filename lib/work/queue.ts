// An agent's queue in working order, each task with why it exists and the account it is for: what the
// console's "Mi trabajo" lists. One keyset-paged query on the queue index, joined to the read model.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { stepKeyOf } from '../../workflows/account.messages';

/** Why a task exists: a strategy's call or visit step, or the debtor asking for a person. */
export type TaskReason =
  | {
      kind: 'strategy_step';
      strategyId: string | null;
      strategyVersion: number;
      stageId: string;
      stepId: string;
      /** How many times the stage had been entered (2 after a recall). */
      attempt: number;
    }
  | { kind: 'debtor_request'; source: 'whatsapp' | 'portal' }
  | { kind: 'other' };

/** Read from the task's business key (workflows/account.workflow.ts, the WhatsApp inbound handler, the portal). */
export function reasonOf(idempotencyKey: string, strategyId: string | null): TaskReason {
  if (idempotencyKey.startsWith('whatsapp-inbound/')) return { kind: 'debtor_request', source: 'whatsapp' };
  if (idempotencyKey.startsWith('portal/')) return { kind: 'debtor_request', source: 'portal' };
  const step = stepKeyOf(idempotencyKey);
  const version = Number(/^[^/]+\/v(\d+)\//.exec(idempotencyKey)?.[1]);
  const [stageId, stepId, attempt] = step?.split('/') ?? [];
  if (!stageId || !stepId || !Number.isSafeInteger(version)) return { kind: 'other' };
  return {
    kind: 'strategy_step',
    strategyId,
    strategyVersion: version,
    stageId,
    stepId,
    attempt: Number.isSafeInteger(Number(attempt)) ? Number(attempt) : 1,
  };
}

export interface QueueItem {
  id: string;
  channel: string;
  priority: string;
  dueAt: Date;
  overdue: boolean;
  note: string | null;
  reason: TaskReason;
  account: {
    id: string;
    debtorName: string;
    status: string;
    stage: string;
    balanceMinor: number;
    currency: string;
    daysPastDue: number | null;
  };
}

/** Position of a task in the order: (bucket, rank within bucket, due, rank, id); `asOf` pins "overdue" across pages. */
export type QueueCursor = { asOf: string; bucket: number; key: number; dueAt: string; rank: number; id: string };

/**
 * Working order: overdue tasks first (due at or before `asOf`), most urgent priority first, then the longest
 * overdue; then tasks not yet due, soonest first. Open tasks only, of accounts that are not closed.
 */
export async function agentQueue(
  db: Db,
  agentId: string,
  limit: number,
  after?: QueueCursor,
): Promise<{ items: QueueItem[]; next: QueueCursor | null; asOf: string }> {
  const asOf = after?.asOf ?? new Date().toISOString();
  const bucket = sql`(case when t.due_at <= ${asOf}::timestamptz then 0 else 1 end)`;
  const key = sql`(case when t.due_at <= ${asOf}::timestamptz then t.rank else 0 end)`;
  const rows = await db.execute<Record<string, unknown>>(sql`
    select t.id, t.channel, t.priority, t.due_at, t.rank, t.note, t.idempotency_key,
      ${bucket} as bucket, ${key} as key,
      a.id as account_id, a.status, a.stage, a.balance_minor, a.currency, a.days_past_due, a.strategy_id,
      d.name as debtor_name
    from agent_tasks t
    join accounts a on a.id = t.account_id
    join debtors d on d.id = a.debtor_id
    where t.status = 'open' and t.assigned_agent_id = ${agentId} and a.closed_at is null
      ${
        after
          ? sql`and (${bucket}, ${key}, t.due_at, t.rank, t.id) > (${after.bucket}::int, ${after.key}::int, ${after.dueAt}::timestamptz, ${after.rank}::int, ${after.id}::uuid)`
          : sql``
      }
    order by bucket, key, t.due_at, t.rank, t.id
    limit ${limit + 1}`);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    asOf,
    items: page.map((r) => ({
      id: String(r.id),
      channel: String(r.channel),
      priority: String(r.priority),
      dueAt: new Date(r.due_at as string),
      overdue: Number(r.bucket) === 0,
      note: (r.note as string | null) ?? null,
      reason: reasonOf(String(r.idempotency_key), (r.strategy_id as string | null) ?? null),
      account: {
        id: String(r.account_id),
        debtorName: String(r.debtor_name),
        status: String(r.status),
        stage: String(r.stage),
        balanceMinor: Number(r.balance_minor),
        currency: String(r.currency),
        daysPastDue: r.days_past_due === null ? null : Number(r.days_past_due),
      },
    })),
    next:
      rows.length > limit && last
        ? {
            asOf,
            bucket: Number(last.bucket),
            key: Number(last.key),
            dueAt: new Date(last.due_at as string).toISOString(),
            rank: Number(last.rank),
            id: String(last.id),
          }
        : null,
  };
}

/** Open tasks per agent (the team's queue sizes), and how many of them are overdue now. */
export async function queueSizes(db: Db): Promise<Map<string, { open: number; overdue: number }>> {
  const rows = await db.execute<{ agent_id: string; open: number; overdue: number }>(sql`
    select t.assigned_agent_id as agent_id, count(*)::int as open,
      count(*) filter (where t.due_at <= now())::int as overdue
    from agent_tasks t
    join accounts a on a.id = t.account_id
    where t.status = 'open' and t.assigned_agent_id is not null and a.closed_at is null
    group by t.assigned_agent_id`);
  return new Map(rows.map((r) => [r.agent_id, { open: Number(r.open), overdue: Number(r.overdue) }]));
}
