import type { FastifyInstance } from 'fastify';
import { listFailedRows, retryFailedRows } from '../../lib/outbox/failed';
import type { AppDeps } from '../app';
import { listFailedOutboxSchema, retryOutboxSchema } from '../schemas/outbox';

export function outboxRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get('/v1/outbox/failed', { schema: listFailedOutboxSchema, config: { roles: ['admin'] } }, async () => ({
    items: await listFailedRows(deps.db, deps.outbox.taskQueue),
  }));

  app.post<{ Body: { ids?: number[] } }>(
    '/v1/outbox/retry',
    { schema: retryOutboxSchema, config: { roles: ['admin'] } },
    async (req) => {
      const retried = await retryFailedRows(deps.db, deps.outbox.taskQueue, req.body.ids);
      // Delivered now rather than at the relay's next pass.
      if (retried > 0)
        void deps.outbox.drain().catch((err: unknown) => req.log.warn({ err }, 'outbox retry pass failed'));
      return { retried };
    },
  );
}
