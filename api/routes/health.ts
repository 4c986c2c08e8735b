import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app';

/** A probe's answer serves every /health call for this long: hammering /health costs no round trips. */
export const HEALTH_CACHE_MS = 3000;

type Probe = { database: 'ok' | 'down'; temporal: 'ok' | 'down' };

export function healthRoutes(app: FastifyInstance, deps: AppDeps) {
  const withTimeout = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
  async function probe(): Promise<Probe> {
    const [database, temporal] = await Promise.allSettled([
      withTimeout(deps.db.execute(sql`select 1`)),
      withTimeout(deps.temporal.workflowService.getSystemInfo({})),
    ]);
    return {
      database: database.status === 'fulfilled' ? 'ok' : 'down',
      temporal: temporal.status === 'fulfilled' ? 'ok' : 'down',
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
      const checks = await current();
      if (checks.database === 'ok' && checks.temporal === 'ok') return { status: 'ok' };
      return reply.code(503).send({ status: 'unavailable', checks });
    },
  );
}
