// Rolls running accounts onto a published strategy version: one outbox signal per open account,
// applied by each workflow at its next decision (never retroactively).
import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { accounts, workflowOutbox } from '../../db/schema';
import { loadStrategyVersion } from '../../lib/strategies/store';
import { strategyVersionChangedSignal } from '../../workflows/account.messages';
import type { AppDeps } from '../app';
import { notFound } from '../problem';
import { problemResponses, versionNumber } from '../schemas/common';

const rolloutSchema = {
  tags: ['strategies'],
  summary:
    'Move every open account on this strategy (optionally only those on one version) to a published version; dryRun says how many would move.',
  params: {
    type: 'object',
    required: ['strategyId'],
    properties: { strategyId: { type: 'string', minLength: 1, maxLength: 100 } },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['version'],
    properties: {
      version: versionNumber,
      fromVersion: versionNumber,
      dryRun: {
        type: 'boolean',
        default: false,
        description: 'answer (200) how many running accounts would move, by the version they are on; move none',
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['strategyId', 'version', 'accounts', 'dryRun', 'byVersion'],
      properties: {
        strategyId: { type: 'string' },
        version: { type: 'integer' },
        accounts: { type: 'integer', description: 'running accounts that would move' },
        dryRun: { type: 'boolean' },
        byVersion: {
          type: 'array',
          items: {
            type: 'object',
            required: ['version', 'accounts'],
            properties: { version: { type: ['integer', 'null'] }, accounts: { type: 'integer' } },
          },
        },
      },
    },
    202: {
      type: 'object',
      required: ['strategyId', 'version', 'accounts'],
      properties: { strategyId: { type: 'string' }, version: { type: 'integer' }, accounts: { type: 'integer' } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;

export function strategyRolloutRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Params: { strategyId: string }; Body: { version: number; fromVersion?: number; dryRun: boolean } }>(
    '/v1/strategies/:strategyId/rollout',
    { schema: rolloutSchema, config: { roles: ['strategist'] } },
    async (req, reply) => {
      const { strategyId } = req.params;
      const { version, fromVersion } = req.body;
      if (!(await loadStrategyVersion(deps.db, strategyId, version)))
        throw notFound(`Strategy ${strategyId} version ${version}`);
      const moving = and(
        eq(accounts.strategyId, strategyId),
        isNull(accounts.closedAt),
        fromVersion !== undefined
          ? eq(accounts.strategyVersion, fromVersion)
          : or(isNull(accounts.strategyVersion), ne(accounts.strategyVersion, version)),
      );
      if (req.body.dryRun) {
        const byVersion = await deps.db
          .select({ version: accounts.strategyVersion, accounts: sql<number>`count(*)::int` })
          .from(accounts)
          .where(moving)
          .groupBy(accounts.strategyVersion)
          .orderBy(accounts.strategyVersion);
        const total = byVersion.reduce((n, v) => n + Number(v.accounts), 0);
        return reply.code(200).send({ strategyId, version, accounts: total, dryRun: true, byVersion });
      }
      // Set-based: one INSERT … SELECT writes every signal; the relay delivers them in order per workflow.
      const payload = sql`jsonb_build_object('signalArg', jsonb_build_object('strategyId', ${strategyId}::text, 'version', ${version}::int))`;
      const inserted = await deps.db.execute<{ id: number }>(sql`
        insert into ${workflowOutbox} (workflow_id, task_queue, kind, signal_name, payload)
        select ${accounts.workflowId}, ${deps.outbox.taskQueue}, 'signal', ${strategyVersionChangedSignal.name}, ${payload}
        from ${accounts}
        where ${moving}
        returning id`);
      return reply.code(202).send({ strategyId, version, accounts: inserted.length });
    },
  );
}
