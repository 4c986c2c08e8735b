// What a chaos scenario counts once its faults are over: every accepted invoice and payment in its
// workflow exactly once, no message or payment twice in PostgreSQL, and both ledgers equal to the workflows'
// timelines row for row: the contact ledger (contact_decisions: its keys and the time each decision was
// committed) and the event ledger (account_ledger: every timeline entry at its position, with its columns).
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import pLimit from 'p-limit';
import type { Db } from '../../db/client';
import { ledgerRowOf } from '../../lib/ledger/append';
import { accountViewQuery, type AccountView, type TimelineEntry } from '../../workflows/account.messages';

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
  /** Contact ledger rows whose time is not the time of their timeline entry (the run that committed). */
  ledgerTimeMismatches: number;
  /** Event ledger (account_ledger) rows compared with the timelines' entries. */
  eventLedgerRows: number;
  /** Event ledger positions that differ from the timeline: a row missing, one too many, or other columns. */
  eventLedgerMismatches: number;
  /** The first few differences found, each naming its account (diagnostics for a failed run). */
  samples: string[];
}

/** An account_ledger row as compared: the columns a timeline entry fills (lib/ledger/append.ts). */
type LedgerRow = {
  seq: number;
  at: number;
  local_date: string;
  type: string;
  stage: string;
  day: number | null;
  channel: string | null;
  amount_minor: number | null;
  reason: string | null;
  entry: unknown;
};

interface Expected {
  balance: number;
  currency: string;
  /** `decision attempt_key` → the decision's time (ms). */
  decisions: Map<string, number>;
  /** The account's event ledger, by seq. */
  ledger: LedgerRow[];
}

async function expectations(db: Db, accountIds: string[]): Promise<Map<string, Expected>> {
  // One array parameter (a PostgreSQL array literal of uuids), not one parameter per account.
  const ids = `{${accountIds.join(',')}}`;
  const balances = await db.execute<{ account_id: string; balance: string; currency: string }>(sql`
    select a.id as account_id, a.currency,
      coalesce((select sum(amount_minor) from invoices i where i.account_id = a.id), 0)
      - coalesce((select sum(amount_minor) from payments p where p.account_id = a.id), 0) as balance
    from accounts a where a.id = any(${ids}::uuid[])`);
  const decisions = await db.execute<{ account_id: string; attempt_key: string; decision: string; at: number }>(sql`
    select account_id, attempt_key, decision, (extract(epoch from decided_at) * 1000)::float8 as at
    from contact_decisions where account_id = any(${ids}::uuid[])`);
  const ledger = await db.execute<LedgerRow & { account_id: string }>(sql`
    select account_id, seq, (extract(epoch from at) * 1000)::float8 as at, local_date::text as local_date, type, stage,
      day, channel, amount_minor::float8 as amount_minor, reason, entry
    from account_ledger where account_id = any(${ids}::uuid[]) order by account_id, seq`);
  const out = new Map<string, Expected>();
  for (const b of balances)
    out.set(b.account_id, { balance: Number(b.balance), currency: b.currency, decisions: new Map(), ledger: [] });
  for (const d of decisions) out.get(d.account_id)?.decisions.set(`${d.decision} ${d.attempt_key}`, Number(d.at));
  for (const { account_id, ...row } of ledger) out.get(account_id)?.ledger.push(row);
  return out;
}

/**
 * The contact ledger rows a timeline implies (workflows/account.ledger.ts keys them so), each with the time
 * of its entry: the instant the run that committed decided it.
 */
function timelineDecisions(accountId: string, view: AccountView): Map<string, number> {
  const version = view.strategy?.version ?? 0;
  const seen = new Map<string, number>();
  const rows = new Map<string, number>();
  for (const e of view.timeline) {
    const key = typeof e.key === 'string' ? e.key : null;
    if ((e.type === 'message' || e.type === 'task') && key) rows.set(`sent ${accountId}/v${version}/${key}`, atOf(e));
    if (e.type === 'deferred' || e.type === 'skipped') {
      const channel = typeof e.channel === 'string' ? e.channel : 'unknown';
      const step = key ?? `${e.stage}/${channel}`;
      const n = key ? (seen.get(`${key}/${e.type}`) ?? 0) + 1 : 0;
      if (key) seen.set(`${key}/${e.type}`, n);
      rows.set(`${e.type} ${accountId}/v${version}/${step}/${e.type}/${n}`, atOf(e));
    }
  }
  return rows;
}

const atOf = (e: TimelineEntry) => Date.parse(e.at);
const sameKeys = (a: Map<string, number>, b: Map<string, number>) =>
  a.size === b.size && [...a.keys()].every((x) => b.has(x));

/** JSON with object keys sorted: jsonb keeps its own key order, so entries are compared by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The event ledger row a timeline entry at `seq` must be, in the shape the ledger is read back in. */
function expectedRow(entry: TimelineEntry, seq: number, currency: string): LedgerRow {
  const row = ledgerRowOf(entry, seq, currency);
  return { ...row, at: Date.parse(row.at), day: row.day ?? null };
}

/** Positions where the ledger and the timeline differ (a missing row, an extra one, or another column). */
function ledgerDifferences(rows: LedgerRow[], timeline: TimelineEntry[], currency: string): string[] {
  const differences: string[] = [];
  for (let seq = 0; seq < Math.max(rows.length, timeline.length); seq++) {
    const row = rows[seq];
    const entry = timeline[seq];
    if (!row || !entry || row.seq !== seq) {
      differences.push(`seq ${seq}: ledger ${canonical(row ?? null)}, timeline ${canonical(entry ?? null)}`);
      continue;
    }
    const want = expectedRow(entry, seq, currency);
    const columns = (Object.keys(want) as (keyof LedgerRow)[]).filter((k) =>
      k === 'entry' ? canonical(row.entry) !== canonical(want.entry) : row[k] !== want[k],
    );
    if (columns.length > 0)
      differences.push(
        `seq ${seq} ${columns.join(',')}: ledger ${canonical(row.entry)} at ${new Date(row.at).toISOString()}, ` +
          `timeline ${canonical(entry)}`,
      );
  }
  return differences;
}

export async function checkAccounts(db: Db, temporal: Client, accounts: AccountCheck[]): Promise<Outcome> {
  const expected = await expectations(
    db,
    accounts.map((a) => a.accountId),
  );
  const limit = pLimit(16);
  const outcome: Outcome = {
    delivered: 0,
    lost: 0,
    duplicated: 0,
    ledgerMismatches: 0,
    ledgerRows: 0,
    ledgerTimeMismatches: 0,
    eventLedgerRows: 0,
    eventLedgerMismatches: 0,
    samples: [],
  };
  const sample = (accountId: string, what: string) => {
    if (outcome.samples.length < 5) outcome.samples.push(`${accountId}: ${what}`);
  };
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
        const implied = timelineDecisions(a.accountId, view);
        if (!sameKeys(implied, want.decisions)) {
          outcome.ledgerMismatches += 1;
          const keys = (m: Map<string, number>) => [...m.keys()].join(' | ');
          sample(a.accountId, `contact ledger ${keys(want.decisions)} vs timeline ${keys(implied)}`);
        }
        for (const [key, time] of want.decisions) {
          const committed = implied.get(key);
          if (committed === undefined || committed === time) continue;
          outcome.ledgerTimeMismatches += 1;
          sample(
            a.accountId,
            `${key} at ${new Date(time).toISOString()}, timeline ${new Date(committed).toISOString()}`,
          );
        }
        outcome.eventLedgerRows += want.ledger.length;
        const differences = ledgerDifferences(want.ledger, view.timeline, want.currency);
        outcome.eventLedgerMismatches += differences.length;
        for (const d of differences) sample(a.accountId, `event ledger ${d}`);
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
