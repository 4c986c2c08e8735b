import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app';

export function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'PostgreSQL and Temporal both answer.',
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
          503: {
            type: 'object',
            required: ['status', 'checks'],
            properties: {
              status: { type: 'string' },
              checks: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
      logLevel: 'warn',
    },
    async (_req, reply) => {
      const withTimeout = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
      const [database, temporal] = await Promise.allSettled([
        withTimeout(deps.db.execute(sql`select 1`)),
        withTimeout(deps.temporal.workflowService.getSystemInfo({})),
      ]);
      if (database.status === 'fulfilled' && temporal.status === 'fulfilled') return { status: 'ok' };
      return reply.code(503).send({
        status: 'unavailable',
        checks: {
          database: database.status === 'fulfilled' ? 'ok' : 'down',
          temporal: temporal.status === 'fulfilled' ? 'ok' : 'down',
        },
      });
    },
  );
}
