// The one assignment operation: an account goes to an agent (or to nobody) and its open tasks follow it, so
// the agent's queue is the accounts they hold. PUT /v1/accounts/{id}/assignment and POST /v1/assignments both
// come here.
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, agentTasks } from '../../db/schema';

export interface Assignment {
  accountId: string;
  agentId: string | null;
}

/** Applies each assignment (one transaction); answers those whose account exists, with who held it before. */
export async function assignAccounts(
  db: Db,
  list: readonly Assignment[],
): Promise<(Assignment & { previous: string | null })[]> {
  if (list.length === 0) return [];
  return db.transaction(async (tx) => {
    const ids = list.map((a) => a.accountId);
    const before = await tx
      .select({ id: accounts.id, agentId: accounts.assignedAgentId })
      .from(accounts)
      .where(inArray(accounts.id, ids))
      .for('update');
    const previous = new Map(before.map((r) => [r.id, r.agentId]));
    const done: (Assignment & { previous: string | null })[] = [];
    // One statement per target agent, however many accounts move.
    const byAgent = new Map<string | null, string[]>();
    for (const a of list) {
      if (!previous.has(a.accountId)) continue;
      done.push({ ...a, previous: previous.get(a.accountId) ?? null });
      byAgent.set(a.agentId, [...(byAgent.get(a.agentId) ?? []), a.accountId]);
    }
    for (const [agentId, accountIds] of byAgent) {
      const differs =
        agentId === null
          ? sql`${accounts.assignedAgentId} is not null`
          : or(isNull(accounts.assignedAgentId), ne(accounts.assignedAgentId, agentId));
      await tx
        .update(accounts)
        .set({ assignedAgentId: agentId, updatedAt: new Date() })
        .where(and(inArray(accounts.id, accountIds), differs));
      await tx
        .update(agentTasks)
        .set({ assignedAgentId: agentId })
        .where(and(inArray(agentTasks.accountId, accountIds), eq(agentTasks.status, 'open')));
    }
    return done;
  });
}
