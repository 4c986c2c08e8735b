// Exports for spreadsheets and BI: accounts, ledger entries, payments and promises as CSV or XLSX, streamed.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { csvFormatFor, csvStream, xlsxStream } from '../../lib/exports/writers';
import { EXPORT_NAMES, exportSource, type ExportFilters, type ExportSource } from '../../lib/ledger/exports';
import { auditExportSource, type AuditFilters } from '../../lib/audit/log';
import { kpiExportSource } from '../../lib/ledger/kpi-export';
import { accountFilters } from '../accounts/filters';
import type { AppDeps } from '../app';
import { badRequest } from '../problem';
import { exportSchema } from '../schemas/exports';
import { auditRoles, checkAuditPeriod } from './audit';
import { checkQuery as checkKpiQuery } from './kpis';

type ExportQuery = ExportFilters & { locale?: string };

const FORMATS = ['csv', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

function checkPeriod(q: ExportQuery): void {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to)
    throw badRequest([{ field: 'querystring.from', message: `is after to (${q.to})` }]);
  if (q.minDaysPastDue !== undefined && q.maxDaysPastDue !== undefined && q.minDaysPastDue > q.maxDaysPastDue)
    throw badRequest([
      { field: 'querystring.minDaysPastDue', message: `is above maxDaysPastDue (${q.maxDaysPastDue})` },
    ]);
}

function send(reply: FastifyReply, name: string, format: Format, source: ExportSource, locale: string | undefined) {
  const file = `${name}-${new Date().toISOString().slice(0, 10)}.${format}`;
  reply.type(CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="${file}"`);
  return reply.send(format === 'csv' ? csvStream(source, csvFormatFor(locale)) : xlsxStream(source, name));
}

export function exportRoutes(app: FastifyInstance, deps: AppDeps) {
  for (const format of FORMATS) {
    for (const name of EXPORT_NAMES) {
      app.get<{ Querystring: ExportQuery }>(
        `/v1/exports/${name}.${format}`,
        { schema: exportSchema(name, format), config: { roles: ['supervisor'] } },
        async (req, reply) => {
          const { locale, ...filters } = req.query;
          checkPeriod(req.query);
          // Accounts are filtered as the list is (same 400s for an unknown stage, a balance without currency).
          const accountConditions =
            name === 'accounts' ? await accountFilters(deps.db, filters, 'querystring.') : undefined;
          const source = exportSource(deps.db, name, {
            ...filters,
            ...(accountConditions ? { accountConditions } : {}),
          });
          return send(reply, name, format, source, locale);
        },
      );
    }
    app.get<{ Querystring: { from: string; to: string; groupBy?: string; currency?: string; locale?: string } }>(
      `/v1/exports/kpis.${format}`,
      { schema: exportSchema('kpis', format), config: { roles: ['supervisor'] } },
      async (req, reply) => {
        const { locale, from, to, currency } = req.query;
        const groupBy = checkKpiQuery(req.query);
        const source = await kpiExportSource(deps.db, { from, to, groupBy, ...(currency ? { currency } : {}) });
        return send(reply, 'kpis', format, source, locale);
      },
    );
    app.get<{ Querystring: AuditFilters & { locale?: string } }>(
      `/v1/exports/audit.${format}`,
      { schema: exportSchema('audit', format), config: { roles: auditRoles } },
      async (req, reply) => {
        const { locale, ...filters } = req.query;
        checkAuditPeriod(filters);
        return send(reply, 'audit', format, auditExportSource(deps.db, filters), locale);
      },
    );
  }
}
