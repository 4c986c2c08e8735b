// What the signed-in person works on: an agent's queue (GET /v1/me/queue).
import type { FastifyInstance } from 'fastify';
import { agentQueue, type QueueCursor } from '../../lib/work/queue';
import type { AppDeps } from '../app';
import { decodeCursor, encodeCursor } from '../cursor';
import { formatAmount } from '../money';
import { myQueueSchema } from '../schemas/me';

function readQueueCursor(cursor: string): QueueCursor {
  const [asOf, bucket, key, dueAt, rank, id] = decodeCursor(cursor, [
    'timestamp',
    'int',
    'int',
    'timestamp',
    'int',
    'uuid',
  ]) as [string, number, number, string, number, string];
  return { asOf, bucket, key, dueAt, rank, id };
}

export function meRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/me/queue',
    { schema: myQueueSchema, config: { roles: ['agent'] } },
    async (req) => {
      const after = req.query.cursor === undefined ? undefined : readQueueCursor(req.query.cursor);
      const page = await agentQueue(deps.db, req.principal?.agentId ?? '', req.query.limit, after);
      return {
        asOf: page.asOf,
        items: page.items.map((t) => ({
          ...t,
          dueAt: t.dueAt.toISOString(),
          account: {
            id: t.account.id,
            debtorName: t.account.debtorName,
            status: t.account.status,
            stage: t.account.stage,
            balance: { amount: formatAmount(t.account.balanceMinor, t.account.currency), currency: t.account.currency },
            daysPastDue: t.account.daysPastDue,
          },
        })),
        nextCursor: page.next
          ? encodeCursor([
              page.next.asOf,
              page.next.bucket,
              page.next.key,
              page.next.dueAt,
              page.next.rank,
              page.next.id,
            ])
          : null,
      };
    },
  );
}
