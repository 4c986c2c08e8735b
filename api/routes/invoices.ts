import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app';
import { ingestInvoice } from '../invoices/ingest';
import { normalizeInvoice, type InvoiceRequest } from '../invoices/normalize';
import { unknownStrategy, unknownStrategyIds } from '../invoices/strategy-check';
import { badRequest } from '../problem';
import { createInvoiceSchema } from '../schemas/invoices';

export function invoiceRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Body: InvoiceRequest }>(
    '/v1/invoices',
    { schema: createInvoiceSchema, config: { roles: ['system'] } },
    async (req, reply) => {
      const { value, errors } = normalizeInvoice(req.body);
      if (!value) throw badRequest(errors);
      if (value.strategyId && (await unknownStrategyIds(deps.db, [value.strategyId])).size > 0)
        throw unknownStrategy(value.strategyId, 'strategyId');
      const result = await ingestInvoice(deps.db, value, deps.outbox.taskQueue);
      await deps.outbox.dispatchNow(result.outboxIds).catch((err: unknown) => {
        req.log.warn({ err: (err as Error).message }, 'workflow message left to the outbox relay');
      });
      return reply
        .code(result.created ? 201 : 200)
        .send({ invoiceId: result.invoiceId, accountId: result.accountId, workflowId: result.workflowId });
    },
  );
}
