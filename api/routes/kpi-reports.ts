// The KPI reports beside GET /v1/kpis: aging, roll and cure rates, channel delivery and read rates, agent
// productivity, and champion against challenger.
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { agentProductivity } from '../../lib/kpis/agents';
import { agingOn, rollRates, type StandingDimension } from '../../lib/kpis/aging';
import { compareArms, splitsOf } from '../../lib/kpis/champion-challenger';
import { channelRates } from '../../lib/kpis/rates';
import type { AppDeps } from '../app';
import { badRequest, type FieldError } from '../problem';
import {
  AGING_GROUP_BY,
  agentProductivitySchema,
  agingSchema,
  championChallengerSchema,
  channelRatesSchema,
  rollRatesSchema,
} from '../schemas/kpi-reports';
import { periodErrors } from './kpis';

const config = { roles: ['supervisor', 'strategist'] as const };

interface Period {
  from: string;
  to: string;
}

function checkPeriod(q: Period): void {
  const errors = periodErrors(q);
  if (errors.length > 0) throw badRequest(errors);
}

function agingGroupBy(value: string | undefined): StandingDimension[] {
  const dims = (value ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  const unknown = dims.filter((d) => !(AGING_GROUP_BY as string[]).includes(d));
  const errors: FieldError[] = [];
  if (unknown.length > 0)
    errors.push({
      field: 'querystring.groupBy',
      message: `unknown ${unknown.map((d) => `"${d}"`).join(', ')}; use any of ${AGING_GROUP_BY.join(', ')}`,
    });
  if (new Set(dims).size !== dims.length)
    errors.push({ field: 'querystring.groupBy', message: 'names a dimension twice' });
  if (errors.length > 0) throw badRequest(errors);
  return dims as StandingDimension[];
}

export function kpiReportRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: { asOf?: string; groupBy?: string; strategy?: string; currency?: string } }>(
    '/v1/kpis/aging',
    { schema: agingSchema, config },
    async (req) => {
      const groupBy = agingGroupBy(req.query.groupBy);
      const { asOf, strategy, currency } = req.query;
      if (asOf !== undefined && !DateTime.fromISO(asOf, { zone: 'UTC' }).isValid)
        throw badRequest([{ field: 'querystring.asOf', message: 'is not a calendar date' }]);
      const groups = await agingOn(deps.db, {
        asOf: asOf ?? null,
        groupBy,
        ...(strategy ? { strategy } : {}),
        ...(currency ? { currency } : {}),
      });
      return { asOf: asOf ?? null, groupBy, groups };
    },
  );

  app.get<{ Querystring: Period & { strategy?: string; currency?: string } }>(
    '/v1/kpis/roll-rates',
    { schema: rollRatesSchema, config },
    async (req) => {
      checkPeriod(req.query);
      const { from, to, strategy, currency } = req.query;
      const groups = await rollRates(deps.db, {
        from,
        to,
        ...(strategy ? { strategy } : {}),
        ...(currency ? { currency } : {}),
      });
      return { from, to, groups };
    },
  );

  app.get<{ Querystring: Period & { strategy?: string } }>(
    '/v1/kpis/channels',
    { schema: channelRatesSchema, config },
    async (req) => {
      checkPeriod(req.query);
      const { from, to, strategy } = req.query;
      return { from, to, channels: await channelRates(deps.db, { from, to, ...(strategy ? { strategy } : {}) }) };
    },
  );

  app.get<{ Querystring: Period & { withinDays: number; strategy?: string } }>(
    '/v1/kpis/agents',
    { schema: agentProductivitySchema, config },
    async (req) => {
      checkPeriod(req.query);
      const { from, to, withinDays, strategy } = req.query;
      const agents = await agentProductivity(deps.db, { from, to, withinDays, ...(strategy ? { strategy } : {}) });
      return { from, to, withinDays, agents };
    },
  );

  app.get<{ Querystring: Period & { strategy: string } }>(
    '/v1/kpis/champion-challenger',
    { schema: championChallengerSchema, config },
    async (req) => {
      const { strategy, from, to } = req.query;
      checkPeriod(req.query);
      const splits = await splitsOf(deps.db, strategy);
      if (splits.length === 0)
        throw badRequest([
          { field: 'querystring.strategy', message: `no segmentation rule splits ${strategy} with a challenger` },
        ]);
      return {
        strategy,
        from,
        to,
        splits: await Promise.all(
          splits.map(async (split) => ({ ...split, currencies: await compareArms(deps.db, split, { from, to }) })),
        ),
      };
    },
  );
}
