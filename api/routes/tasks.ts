// Agent work for call and visit steps: a prioritised queue per agent; completing a task with an
// outcome tells the account workflow (through the outbox, in the same transaction).
import { and, asc, eq, gt, or, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { accounts, agentTasks } from '../../db/schema';
import { queueSignal } from '../../lib/outbox/signals';
import { contactOutcomeSignal } from '../../workflows/account.messages';
import type { AppDeps } from '../app';
import { decodeCursor as readCursor } from '../cursor';
import { conflict, notFound } from '../problem';
import { completeTaskSchema, listTasksSchema, assignTaskSchema } from '../schemas/tasks';

interface TaskQuery {
  status?: 'open' | 'done' | 'cancelled';
  agentId?: string;
  limit?: number;
  cursor?: string;
}

function encodeCursor(rank: number, dueAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([rank, dueAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, Date, string] {
  const [rank, dueAt, id] = readCursor(cursor, ['int', 'timestamp', 'uuid'], 'cursor') as [number, string, string];
  return [rank, new Date(dueAt), id];
}

export function taskRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get<{ Querystring: TaskQuery }>(
    '/v1/tasks',
    { schema: listTasksSchema, config: { roles: ['supervisor', 'agent'] } },
    async (req) => {
      const q = req.query;
      const limit = q.limit ?? 50;
      // Agents see their own queue, whatever they ask for.
      const agentId = req.principal?.role === 'agent' ? req.principal.agentId : q.agentId;
      const where: SQL[] = [eq(agentTasks.status, q.status ?? 'open')];
      if (agentId) where.push(eq(agentTasks.assignedAgentId, agentId));
      if (q.cursor) {
        const [rank, dueAt, id] = decodeCursor(q.cursor);
        where.push(
          or(
            gt(agentTasks.rank, rank),
            and(eq(agentTasks.rank, rank), gt(agentTasks.dueAt, dueAt)),
            and(eq(agentTasks.rank, rank), eq(agentTasks.dueAt, dueAt), gt(agentTasks.id, id)),
          ) as SQL,
        );
      }
      const rows = await db
        .select()
        .from(agentTasks)
        .where(and(...where))
        .orderBy(asc(agentTasks.rank), asc(agentTasks.dueAt), asc(agentTasks.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((t) => ({
          id: t.id,
          accountId: t.accountId,
          channel: t.channel,
          priority: t.priority,
          dueAt: t.dueAt.toISOString(),
          status: t.status,
          assignedAgentId: t.assignedAgentId,
          outcome: t.outcome,
        })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.rank, last.dueAt, last.id) : null,
      };
    },
  );

  app.post<{ Params: { taskId: string }; Body: { outcome: string; note?: string } }>(
    '/v1/tasks/:taskId/complete',
    { schema: completeTaskSchema, config: { roles: ['supervisor', 'agent', 'system'] } },
    async (req) => {
      const ids = await db.transaction(async (tx) => {
        const [task] = await tx.select().from(agentTasks).where(eq(agentTasks.id, req.params.taskId)).for('update');
        if (!task || (req.principal?.role === 'agent' && task.assignedAgentId !== req.principal.agentId))
          throw notFound(`Task ${req.params.taskId}`);
        if (task.status !== 'open') {
          if (task.status === 'done' && task.outcome === req.body.outcome) return [];
          throw conflict(`Task ${task.id} is already ${task.status}.`);
        }
        await tx
          .update(agentTasks)
          .set({ status: 'done', outcome: req.body.outcome, note: req.body.note ?? null, completedAt: new Date() })
          .where(eq(agentTasks.id, task.id));
        const [account] = await tx
          .select({ workflowId: accounts.workflowId, closedAt: accounts.closedAt })
          .from(accounts)
          .where(eq(accounts.id, task.accountId));
        if (!account || account.closedAt) return [];
        return queueSignal(tx, deps.outbox.taskQueue, account.workflowId, contactOutcomeSignal, {
          channel: task.channel,
          outcome: req.body.outcome,
        });
      });
      await deps.outbox.dispatchNow(ids).catch(() => undefined);
      return { id: req.params.taskId, status: 'done', outcome: req.body.outcome };
    },
  );

  app.put<{ Params: { taskId: string }; Body: { agentId: string | null } }>(
    '/v1/tasks/:taskId/assignment',
    { schema: assignTaskSchema, config: { roles: ['supervisor'] } },
    async (req) => {
      const updated = await db
        .update(agentTasks)
        .set({ assignedAgentId: req.body.agentId })
        .where(eq(agentTasks.id, req.params.taskId))
        .returning({ id: agentTasks.id });
      if (updated.length === 0) throw notFound(`Task ${req.params.taskId}`);
      return { id: req.params.taskId, assignedAgentId: req.body.agentId };
    },
  );
}
