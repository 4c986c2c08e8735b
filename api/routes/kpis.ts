import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { KpiDimension } from '../../lib/kpis/ledger-kpis';
import { rollupKpis } from '../../lib/kpis/rollups';
import type { AppDeps } from '../app';
import { badRequest, type FieldError } from '../problem';
import { KPI_GROUP_BY, kpisSchema } from '../schemas/kpis';

interface KpiQuerystring {
  from: string;
  to: string;
  groupBy?: string;
  currency?: string;
}

/** The longest period asked at once: longer ones are exports, not a dashboard. */
const MAX_YEARS = 2;

/** A period's problems: malformed dates, from after to, longer than MAX_YEARS (each naming its parameter). */
export function periodErrors(q: { from: string; to: string }): FieldError[] {
  const errors: FieldError[] = [];
  const from = DateTime.fromISO(q.from, { zone: 'UTC' });
  const to = DateTime.fromISO(q.to, { zone: 'UTC' });
  if (!from.isValid) errors.push({ field: 'querystring.from', message: 'is not a calendar date' });
  if (!to.isValid) errors.push({ field: 'querystring.to', message: 'is not a calendar date' });
  if (from.isValid && to.isValid) {
    if (from > to) errors.push({ field: 'querystring.from', message: `is after to (${q.to})` });
    else if (to > from.plus({ years: MAX_YEARS }))
      errors.push({ field: 'querystring.to', message: `is more than ${MAX_YEARS} years after from (${q.from})` });
  }
  return errors;
}

export function checkQuery(q: KpiQuerystring): KpiDimension[] {
  const errors = periodErrors(q);
  const dims = (q.groupBy ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  const unknown = dims.filter((d) => !(KPI_GROUP_BY as readonly string[]).includes(d));
  if (unknown.length > 0)
    errors.push({
      field: 'querystring.groupBy',
      message: `unknown ${unknown.map((d) => `"${d}"`).join(', ')}; use any of ${KPI_GROUP_BY.join(', ')}`,
    });
  if (new Set(dims).size !== dims.length)
    errors.push({ field: 'querystring.groupBy', message: 'names a dimension twice' });
  if (errors.length > 0) throw badRequest(errors);
  return dims as KpiDimension[];
}

export function kpiRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: KpiQuerystring }>(
    '/v1/kpis',
    { schema: kpisSchema, config: { roles: ['supervisor', 'strategist'] } },
    async (req) => {
      const groupBy = checkQuery(req.query);
      const { from, to, currency } = req.query;
      const groups = await rollupKpis(deps.db, { from, to, groupBy, ...(currency ? { currency } : {}) });
      return { from, to, groupBy, groups };
    },
  );
}
