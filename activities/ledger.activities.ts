// Appends an account's new timeline entries to the ledger (account_ledger), once each: the key is the
// entry's position in the account's timeline, so a retried activity or a replayed workflow adds nothing.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { currencyDigits, parseMinor } from '../strategies/core/money';
import type { TimelineEntry } from '../strategies/core/types';

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

export function createLedgerActivities(deps: { db: Db }) {
  return {
    async appendLedger(input: LedgerAppend): Promise<void> {
      if (input.entries.length === 0) return;
      const digits = currencyDigits(input.currency);
      // Keys are the recordset's column names (jsonb_to_recordset matches them by name).
      const rows = input.entries.map((e, i) => ({
        seq: input.firstSeq + i,
        at: new Date(Date.parse(e.at)).toISOString(),
        local_date: e.at.slice(0, 10),
        type: e.type,
        stage: e.stage,
        day: e.day,
        channel: text(e.channel),
        amount_minor: amountOf(e, digits),
        reason: text(e.reason) ?? text(e.status) ?? text(e.outcome),
        entry: e,
      }));
      // Arm, agent and country come from the account and debtor rows as they are when the entry lands.
      await deps.db.execute(sql`
        insert into account_ledger (account_id, seq, at, local_date, type, stage, day, strategy_id,
          strategy_version, arm, channel, agent_id, country, currency, amount_minor, reason, entry)
        select a.id, r.seq, r.at, r.local_date, r.type, r.stage, r.day, ${input.strategyId}, ${input.strategyVersion},
          a.strategy_arm, r.channel, a.assigned_agent_id, d.country, ${input.currency}, r.amount_minor, r.reason, r.entry
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(seq int, at timestamptz, local_date date,
          type text, stage text, day int, channel text, amount_minor bigint, reason text, entry jsonb)
        join accounts a on a.id = ${input.accountId}
        join debtors d on d.id = a.debtor_id
        on conflict (account_id, seq) do nothing`);
    },
  };
}
