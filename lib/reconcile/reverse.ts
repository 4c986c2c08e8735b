// A reversal line (a returned transfer, a bank's RvslInd) takes back the payments the line it reverses became:
// through the payments' own reversal operation (payment_reversed for each account workflow, booked once per
// reversal id = this line's key); what had gone to the debtor's credit leaves it.
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, debtorCredits, statementApplications, statementLines } from '../../db/schema';
import { recordReversal } from '../payments/reversals';

export type ReverseOutcome = { ok: true; reversedMinor: number; outboxIds: number[] } | { ok: false; reason: string };

export async function reverseStatementLine(db: Db, taskQueue: string, lineId: string): Promise<ReverseOutcome> {
  const [line] = await db.select().from(statementLines).where(eq(statementLines.id, lineId));
  if (!line || !line.reversal) return { ok: false, reason: 'not a reversal line' };
  if (!line.reversesLineId)
    return { ok: false, reason: 'a reversal whose original line is not known: apply or ignore it by hand' };
  const [original] = await db.select().from(statementLines).where(eq(statementLines.id, line.reversesLineId));
  if (!original || original.status !== 'applied')
    return { ok: false, reason: 'reverses a line that was never applied: nothing was booked, ignore it' };
  const applications = await db
    .select()
    .from(statementApplications)
    .where(eq(statementApplications.lineId, original.id))
    .orderBy(sql`${statementApplications.accountId} is null`, statementApplications.createdAt);
  let left = -line.amountMinor;
  let reversedMinor = 0;
  const outboxIds: number[] = [];
  for (const app of applications) {
    if (left <= 0) break;
    const amount = Math.min(left, app.amountMinor);
    if (app.accountId) {
      const [account] = await db
        .select({
          id: accounts.id,
          currency: accounts.currency,
          workflowId: accounts.workflowId,
          closedAt: accounts.closedAt,
        })
        .from(accounts)
        .where(eq(accounts.id, app.accountId));
      if (!account) continue;
      const result = await recordReversal(db, taskQueue, account, {
        reference: original.key,
        reversalId: line.key,
        amountMinor: amount,
        source: 'api',
        reason: `bank statement: ${line.remittance ?? 'returned transfer'}`.slice(0, 200),
      });
      if (result.status === 'reversed') outboxIds.push(...result.outboxIds);
      if ('amountMinor' in result) reversedMinor += result.amountMinor;
    } else {
      await db
        .insert(debtorCredits)
        .values({
          debtorId: app.debtorId,
          currency: app.currency,
          amountMinor: -amount,
          source: 'reversal',
          sourceRef: line.id,
        })
        .onConflictDoNothing();
      reversedMinor += amount;
    }
    left -= amount;
  }
  await db
    .update(statementLines)
    .set({ status: 'applied', queueReason: null, decidedAt: sql`now()` })
    .where(and(eq(statementLines.id, line.id), isNotNull(statementLines.reversesLineId)));
  return { ok: true, reversedMinor, outboxIds };
}
