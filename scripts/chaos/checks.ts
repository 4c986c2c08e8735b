// What a chaos scenario counts once its faults are over: every accepted invoice and payment in its
// workflow exactly once, no message or payment twice in PostgreSQL, and the contact ledger equal to the
// workflows' timelines row for row.
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import pLimit from 'p-limit';
import type { Db } from '../../db/client';
import { accountViewQuery, type AccountView } from '../../workflows/account.messages';

export interface AccountCheck {
  accountId: string;
  workflowId: string;
}

export interface Outcome {
  /** Accounts whose workflow balance is what PostgreSQL says was accepted (invoices less payments). */
  delivered: number;
  /** Accounts whose workflow knows less than was accepted (an invoice or payment never arrived). */
  lost: number;
  /** Accounts whose workflow booked more than was accepted (a payment twice), plus duplicate rows in PostgreSQL. */
  duplicated: number;
  /** Accounts whose contact ledger rows differ from the workflow's timeline. */
  ledgerMismatches: number;
  /** Contact ledger rows compared with the timelines (so a zero above is not for want of rows). */
  ledgerRows: number;
}

interface Expected {
  balance: number;
  decisions: Set<string>;
}

async function expectations(db: Db, accountIds: string[]): Promise<Map<string, Expected>> {
  // One array parameter (a PostgreSQL array literal of uuids), not one parameter per account.
  const ids = `{${accountIds.join(',')}}`;
  const balances = await db.execute<{ account_id: string; balance: string }>(sql`
    select a.id as account_id,
      coalesce((select sum(amount_minor) from invoices i where i.account_id = a.id), 0)
      - coalesce((select sum(amount_minor) from payments p where p.account_id = a.id), 0) as balance
    from accounts a where a.id = any(${ids}::uuid[])`);
  const decisions = await db.execute<{ account_id: string; attempt_key: string; decision: string }>(sql`
    select account_id, attempt_key, decision from contact_decisions where account_id = any(${ids}::uuid[])`);
  const out = new Map<string, Expected>();
  for (const b of balances) out.set(b.account_id, { balance: Number(b.balance), decisions: new Set() });
  for (const d of decisions) out.get(d.account_id)?.decisions.add(`${d.decision} ${d.attempt_key}`);
  return out;
}

/** The ledger rows a timeline implies (workflows/account.ledger.ts keys them so). */
function timelineDecisions(accountId: string, view: AccountView): Set<string> {
  const version = view.strategy?.version ?? 0;
  const seen = new Map<string, number>();
  const rows = new Set<string>();
  for (const e of view.timeline) {
    const key = typeof e.key === 'string' ? e.key : null;
    if ((e.type === 'message' || e.type === 'task') && key) rows.add(`sent ${accountId}/v${version}/${key}`);
    if (e.type === 'deferred' || e.type === 'skipped') {
      const channel = typeof e.channel === 'string' ? e.channel : 'unknown';
      const step = key ?? `${e.stage}/${channel}`;
      const n = key ? (seen.get(`${key}/${e.type}`) ?? 0) + 1 : 0;
      if (key) seen.set(`${key}/${e.type}`, n);
      rows.add(`${e.type} ${accountId}/v${version}/${step}/${e.type}/${n}`);
    }
  }
  return rows;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

export async function checkAccounts(db: Db, temporal: Client, accounts: AccountCheck[]): Promise<Outcome> {
  const expected = await expectations(
    db,
    accounts.map((a) => a.accountId),
  );
  const limit = pLimit(16);
  const outcome: Outcome = { delivered: 0, lost: 0, duplicated: 0, ledgerMismatches: 0, ledgerRows: 0 };
  await Promise.all(
    accounts.map((a) =>
      limit(async () => {
        const want = expected.get(a.accountId);
        const view = await temporal.workflow
          .getHandle(a.workflowId)
          .query(accountViewQuery)
          .catch(() => null);
        if (!want || !view) {
          outcome.lost += 1;
          return;
        }
        if (view.balanceMinor === want.balance) outcome.delivered += 1;
        else if (view.balanceMinor > want.balance) outcome.lost += 1;
        else outcome.duplicated += 1;
        outcome.ledgerRows += want.decisions.size;
        if (!sameSet(timelineDecisions(a.accountId, view), want.decisions)) outcome.ledgerMismatches += 1;
      }),
    ),
  );
  // Keys and references are unique by constraint; counted all the same, as the chaos run's promise.
  const [dups] = await db.execute<{ messages: number; payments: number }>(sql`
    select (select count(*) from (select idempotency_key from outbound_messages group by 1 having count(*) > 1) m)::int as messages,
           (select count(*) from (select account_id, reference from payments group by 1, 2 having count(*) > 1) p)::int as payments`);
  outcome.duplicated += (dups?.messages ?? 0) + (dups?.payments ?? 0);
  return outcome;
}

/** Outbox rows of the run not yet delivered (pending or failed). */
export async function undelivered(db: Db, taskQueue: string): Promise<number> {
  const [row] = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from workflow_outbox where dispatched_at is null and task_queue = ${taskQueue}`,
  );
  return row?.n ?? 0;
}
