// The accounts an assignment request selects, with what the rules need to know about each.
import { and, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, debtors } from '../../db/schema';
import type { Candidate } from './rules';

/** The most accounts one request distributes: a bigger portfolio is distributed by narrower filters. */
export const MAX_ASSIGNMENT_ACCOUNTS = 10_000;

export type SegmentBy = 'strategy' | 'arm' | 'country' | 'debtorKind' | 'attribute';

function segmentExpr(by: SegmentBy, attribute: string): SQL {
  switch (by) {
    case 'strategy':
      return sql`${accounts.strategyId}`;
    case 'arm':
      return sql`${accounts.strategyArm}`;
    case 'country':
      return sql`${debtors.country}`;
    case 'debtorKind':
      return sql`${debtors.kind}`;
    case 'attribute':
      return sql`${debtors.attributes}->>${attribute}`;
  }
}

/**
 * Open accounts matching `where` (conditions on accounts joined to debtors) or `ids`, at most `limit` + 1 (so
 * the caller can tell a selection is too big).
 */
export async function selectCandidates(
  db: Db,
  q: { where?: SQL[]; ids?: string[]; segmentBy: SegmentBy; attribute: string; limit: number },
): Promise<Candidate[]> {
  const rows = await db
    .select({
      accountId: accounts.id,
      agentId: accounts.assignedAgentId,
      segment: sql<string | null>`(${segmentExpr(q.segmentBy, q.attribute)})::text`,
    })
    .from(accounts)
    .innerJoin(debtors, sql`${debtors.id} = ${accounts.debtorId}`)
    .where(and(isNull(accounts.closedAt), ...(q.where ?? []), q.ids ? inArray(accounts.id, q.ids) : undefined))
    .orderBy(accounts.id)
    .limit(q.limit + 1);
  return rows;
}

/** Open accounts each agent holds outside the selection (the capacity rule's load). */
export async function loadOutside(db: Db, agents: readonly string[], selected: readonly Candidate[]) {
  const rows = await db
    .select({ agentId: accounts.assignedAgentId, n: sql<number>`count(*)::int` })
    .from(accounts)
    .where(and(isNull(accounts.closedAt), inArray(accounts.assignedAgentId, [...agents])))
    .groupBy(accounts.assignedAgentId);
  const load = new Map(rows.map((r) => [r.agentId ?? '', Number(r.n)]));
  for (const c of selected)
    if (c.agentId !== null && load.has(c.agentId)) load.set(c.agentId, load.get(c.agentId)! - 1);
  return load;
}
