// The contact budget's ledger, consulted at send time. Every contact a workflow is about to make is
// reserved here under a per-debtor lock: if the debtor's other accounts contacted them since the
// workflow last looked, nothing is reserved and those contacts come back, so the decision core
// (the one place that knows the rules) decides again with them. Deferred and skipped decisions are
// recorded with the rule that caused them, so the whole budget is queryable per debtor.
import { and, eq, gt, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts, contactDecisions } from '../db/schema';

export interface ContactAttempt {
  /** The business idempotency key of the message or task. */
  key: string;
  channel: string;
  at: number;
}

export interface RecordedDecision {
  key: string;
  channel: string;
  decision: 'deferred' | 'skipped';
  rule: string;
  at: number;
  until?: number;
}

export interface ReserveInput {
  accountId: string;
  /** Highest ledger id of another account's contact this workflow has already taken into account. */
  knownUpTo: number;
  attempts: ContactAttempt[];
  decisions: RecordedDecision[];
  packVersion: string;
  /** The workflow's last round: record the decision as it stands (another account kept winning the race). */
  force?: boolean;
}

export type ReserveResult =
  { ok: true; knownUpTo: number } | { ok: false; knownUpTo: number; contacts: { at: number; channel: string }[] };

/** The longest cap period (a week) plus a margin: older contacts cannot block anything. */
const LOOKBACK_MS = 8 * 24 * 3_600_000;

export function createContactBudgetActivities(deps: { db: Db }) {
  return {
    async reserveContacts(input: ReserveInput): Promise<ReserveResult> {
      return deps.db.transaction(async (tx) => {
        const [account] = await tx
          .select({ debtorId: accounts.debtorId })
          .from(accounts)
          .where(eq(accounts.id, input.accountId));
        if (!account) throw new Error(`Account ${input.accountId} does not exist`);
        // One reservation per debtor at a time: two accounts cannot both take the last slot.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${account.debtorId}::text, 7240532))`);
        const since = new Date(Math.min(...input.attempts.map((a) => a.at), Date.now()) - LOOKBACK_MS);
        const others = await tx
          .select({ id: contactDecisions.id, at: contactDecisions.decidedAt, channel: contactDecisions.channel })
          .from(contactDecisions)
          .where(
            and(
              eq(contactDecisions.debtorId, account.debtorId),
              ne(contactDecisions.accountId, input.accountId),
              eq(contactDecisions.decision, 'sent'),
              gt(contactDecisions.decidedAt, since),
            ),
          );
        // Any reservation, even one that only defers or skips, hands unseen contacts back: a deferral
        // decided without them carries the wrong rule and `until`, and marking them as known without
        // handing them over would let the next attempt ignore them (and break the debtor's cap).
        if (!input.force && others.some((o) => o.id > input.knownUpTo)) {
          const knownUpTo = Math.max(input.knownUpTo, ...others.map((o) => o.id));
          return {
            ok: false as const,
            knownUpTo,
            contacts: others.map((o) => ({ at: o.at.getTime(), channel: o.channel })),
          };
        }
        const rows = [
          ...input.attempts.map((a) => ({
            attemptKey: a.key,
            channel: a.channel,
            decision: 'sent' as const,
            rule: null,
            decidedAt: new Date(a.at),
            deferredUntil: null,
          })),
          ...input.decisions.map((d) => ({
            attemptKey: d.key,
            channel: d.channel,
            decision: d.decision,
            rule: d.rule,
            decidedAt: new Date(d.at),
            deferredUntil: d.until !== undefined ? new Date(d.until) : null,
          })),
        ];
        if (rows.length > 0) {
          await tx
            .insert(contactDecisions)
            .values(
              rows.map((r) => ({
                ...r,
                debtorId: account.debtorId,
                accountId: input.accountId,
                packVersion: input.packVersion,
              })),
            )
            // A workflow task retried after a crash makes the same decision again, a little later: the row
            // keeps one entry per decision and takes the time of the run that committed — the latest decision,
            // not the last write (a lost attempt's write can arrive after its retry's, as in the event ledger).
            .onConflictDoUpdate({
              setWhere: sql`excluded.decided_at >= ${contactDecisions.decidedAt}`,
              target: [contactDecisions.attemptKey, contactDecisions.decision],
              set: {
                channel: sql`excluded.channel`,
                rule: sql`excluded.rule`,
                decidedAt: sql`excluded.decided_at`,
                deferredUntil: sql`excluded.deferred_until`,
                packVersion: sql`excluded.pack_version`,
              },
            });
        }
        return { ok: true as const, knownUpTo: input.knownUpTo };
      });
    },
  };
}
