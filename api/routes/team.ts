// The supervisor's team view (GET /v1/team).
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { teamOf } from '../../lib/work/team';
import type { AppDeps } from '../app';
import { badRequest } from '../problem';
import { teamSchema } from '../schemas/team';
import { periodErrors } from './kpis';

export function teamRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: { from?: string; to?: string; timezone: string; withinDays: number } }>(
    '/v1/team',
    { schema: teamSchema, config: { roles: ['supervisor'] } },
    async (req) => {
      const now = DateTime.now().setZone(req.query.timezone);
      if (!now.isValid) throw badRequest([{ field: 'querystring.timezone', message: 'is not an IANA time zone' }]);
      const today = now.toISODate();
      const from = req.query.from ?? now.startOf('month').toISODate();
      const to = req.query.to ?? today;
      const errors = periodErrors({ from, to });
      if (errors.length > 0) throw badRequest(errors);
      const agents = await teamOf(deps.db, { today, from, to, withinDays: req.query.withinDays });
      return { today, from, to, agents };
    },
  );
}
