// The contact budget per debtor: every contact decision (sent, deferred, skipped) with the rule behind it.
import { and, desc, eq, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { contactDecisions, debtors } from '../../db/schema';
import type { AppDeps } from '../app';
import { badRequest, notFound } from '../problem';
import { pageOf, problemResponses } from '../schemas/common';

const schema = {
  tags: ['compliance'],
  summary: "A debtor's contact decisions across all their accounts and channels, newest first.",
  params: {
    type: 'object',
    required: ['debtorExternalId'],
    properties: { debtorExternalId: { type: 'string', minLength: 1, maxLength: 200 } },
  },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 500 }, cursor: { type: 'string', pattern: '^\\d+$' } },
  },
  response: {
    200: pageOf({
      type: 'object',
      required: ['accountId', 'channel', 'decision', 'rule', 'decidedAt'],
      properties: {
        accountId: { type: 'string' },
        channel: { type: 'string' },
        decision: { type: 'string', enum: ['sent', 'deferred', 'skipped'] },
        rule: { type: ['string', 'null'], description: 'The rule that deferred or skipped it (null for sent).' },
        packVersion: { type: ['string', 'null'] },
        decidedAt: { type: 'string', format: 'date-time' },
        deferredUntil: { type: ['string', 'null'], format: 'date-time' },
      },
    }),
    ...problemResponses(400, 401, 403, 404),
  },
} as const;

export function contactDecisionRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Params: { debtorExternalId: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/v1/debtors/:debtorExternalId/contact-decisions',
    { schema, config: { roles: ['system', 'supervisor'] } },
    async (req) => {
      const [debtor] = await deps.db
        .select({ id: debtors.id })
        .from(debtors)
        .where(eq(debtors.externalId, req.params.debtorExternalId));
      if (!debtor) throw notFound(`Debtor ${req.params.debtorExternalId}`);
      const limit = req.query.limit ?? 100;
      const cursor = req.query.cursor ? Number(req.query.cursor) : null;
      if (cursor !== null && !Number.isSafeInteger(cursor))
        throw badRequest([{ field: 'cursor', message: 'is not a cursor this API issued' }]);
      const rows = await deps.db
        .select()
        .from(contactDecisions)
        .where(
          cursor !== null
            ? and(eq(contactDecisions.debtorId, debtor.id), lt(contactDecisions.id, cursor))
            : eq(contactDecisions.debtorId, debtor.id),
        )
        .orderBy(desc(contactDecisions.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          accountId: r.accountId,
          channel: r.channel,
          decision: r.decision,
          rule: r.rule,
          packVersion: r.packVersion,
          decidedAt: r.decidedAt.toISOString(),
          deferredUntil: r.deferredUntil?.toISOString() ?? null,
        })),
        nextCursor: rows.length > limit ? String(page[page.length - 1]?.id) : null,
      };
    },
  );
}
