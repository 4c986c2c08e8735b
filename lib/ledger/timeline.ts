// A debtor's timeline across all their accounts, from the ledger, oldest first, by keyset pages.
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { accountLedger, accounts, debtors } from '../../db/schema';

export interface TimelinePage {
  /** Null when no debtor has that external id. */
  items: { accountId: string; seq: number; atText: string; entry: Record<string, unknown> }[] | null;
  more: boolean;
}

/** `after` is the (at, accountId, seq) of the last entry of the previous page, `at` as PostgreSQL prints it. */
export async function debtorTimeline(
  db: DbOrTx,
  debtorExternalId: string,
  limit: number,
  after: [string, string, number] | null,
): Promise<TimelinePage> {
  const [debtor] = await db.select({ id: debtors.id }).from(debtors).where(eq(debtors.externalId, debtorExternalId));
  if (!debtor) return { items: null, more: false };
  const where: SQL[] = [eq(accounts.debtorId, debtor.id)];
  if (after) {
    where.push(
      sql`(${accountLedger.at}, ${accountLedger.accountId}, ${accountLedger.seq}) > (${after[0]}::timestamptz, ${after[1]}::uuid, ${after[2]}::int)`,
    );
  }
  const rows = await db
    .select({
      accountId: accountLedger.accountId,
      seq: accountLedger.seq,
      atText: sql<string>`${accountLedger.at}::text`,
      entry: accountLedger.entry,
    })
    .from(accountLedger)
    .innerJoin(accounts, eq(accounts.id, accountLedger.accountId))
    .where(and(...where))
    .orderBy(asc(accountLedger.at), asc(accountLedger.accountId), asc(accountLedger.seq))
    .limit(limit + 1);
  return {
    items: rows.slice(0, limit).map((r) => ({ ...r, entry: r.entry as Record<string, unknown> })),
    more: rows.length > limit,
  };
}
