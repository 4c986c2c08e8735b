// Work for a person: a call or visit step of a strategy, or a debtor asking for an agent. Once per
// business key, however often the step or the message is retried, and given to whoever holds the account.
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { accounts, agentTasks } from '../db/schema';

export interface NewAgentTask {
  /** Built from business ids (account/step/attempt, or the inbound message id). */
  idempotencyKey: string;
  accountId: string;
  channel: string;
  priority: string;
  dueAt: Date;
  note?: string;
}

const priorityRank: Record<string, number> = { urgent: 0, high: 10, normal: 20, low: 30 };

/** Creates the task unless its key exists already; answers the task's id either way. */
export async function createAgentTask(db: DbOrTx, task: NewAgentTask): Promise<{ taskId: string }> {
  await db
    .insert(agentTasks)
    .values({
      idempotencyKey: task.idempotencyKey,
      accountId: task.accountId,
      channel: task.channel,
      priority: task.priority,
      rank: priorityRank[task.priority] ?? priorityRank.normal ?? 20,
      dueAt: task.dueAt,
      ...(task.note === undefined ? {} : { note: task.note }),
      // The task goes to whoever the account is assigned to when it is created.
      assignedAgentId: sql`(select ${accounts.assignedAgentId} from ${accounts} where ${accounts.id} = ${task.accountId})`,
    })
    .onConflictDoNothing({ target: agentTasks.idempotencyKey });
  const [row] = await db
    .select({ id: agentTasks.id })
    .from(agentTasks)
    .where(eq(agentTasks.idempotencyKey, task.idempotencyKey));
  if (!row) throw new Error('agent task row was not written');
  return { taskId: row.id };
}
