import type { FastifyInstance } from 'fastify';
import { outboxBacklog, type OutboxBacklog } from '../../lib/outbox/failed';
import type { AppDeps } from '../app';

/** A probe's answer serves every /health call for this long: hammering /health costs no round trips. */
export const HEALTH_CACHE_MS = 3000;

type Probe = { database: 'ok' | 'down'; temporal: 'ok' | 'down'; outbox: OutboxBacklog | null };

/** Messages waiting for or refused by a workflow: failed ones need an operator (POST /v1/outbox/retry). */
const outboxSchema = {
  type: 'object',
  required: ['pending', 'failed'],
  properties: { pending: { type: 'integer' }, failed: { type: 'integer' } },
} as const;

export function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  const withTimeout = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
  async function probe(): Promise<Probe> {
    // One database round trip per probe: the outbox's backlog query is the database's check too.
    const [outbox, temporal] = await Promise.allSettled([
      withTimeout(outboxBacklog(deps.db, deps.outbox.taskQueue)),
      withTimeout(deps.temporal.workflowService.getSystemInfo({})),
    ]);
    return {
      database: outbox.status === 'fulfilled' ? 'ok' : 'down',
      temporal: temporal.status === 'fulfilled' ? 'ok' : 'down',
      outbox: outbox.status === 'fulfilled' ? outbox.value : null,
    };
  }
  // Concurrent calls share the probe in flight, later ones its answer until it is HEALTH_CACHE_MS old.
  let cached: { at: number; probe: Promise<Probe> } | null = null;
  const current = () => {
    if (!cached || Date.now() - cached.at > HEALTH_CACHE_MS) cached = { at: Date.now(), probe: probe() };
    return cached.probe;
  };

  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'PostgreSQL and Temporal both answer (checked at most every 3 s).',
        security: [],
        response: {
          200: {
            type: 'object',
            required: ['status'],
            properties: { status: { type: 'string', enum: ['ok'] }, outbox: outboxSchema },
          },
          503: {
            type: 'object',
            required: ['status', 'checks'],
            properties: {
              status: { type: 'string' },
              checks: { type: 'object', additionalProperties: { type: 'string' } },
              outbox: outboxSchema,
            },
          },
        },
      },
      logLevel: 'warn',
    },
    async (_req, reply) => {
      const { outbox, ...checks } = await current();
      const backlog = outbox ? { outbox } : {};
      if (checks.database === 'ok' && checks.temporal === 'ok') return { status: 'ok', ...backlog };
      return reply.code(503).send({ status: 'unavailable', checks, ...backlog });
    },
  );
}
