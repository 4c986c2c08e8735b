import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app';
import { ingestBatch } from '../imports/invoice-batch';
import { invoiceBatchSchema } from '../schemas/invoices-batch';

export function invoiceBatchRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Body: { invoices: unknown[] } }>(
    '/v1/invoices/batch',
    // 1000 invoices with full debtor data can pass the default 1 MiB.
    {
      schema: invoiceBatchSchema,
      config: { roles: ['system'] },
      bodyLimit: Math.max(deps.config.http.bodyLimitBytes, 8 * 1024 * 1024),
    },
    async (req) => ({
      results: await ingestBatch({ db: deps.db, outbox: deps.outbox, log: req.log }, req.body.invoices),
    }),
  );
}
