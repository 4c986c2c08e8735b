// Exports for spreadsheets and BI: accounts, ledger entries, payments and promises as CSV or XLSX, streamed.
import type { FastifyInstance } from 'fastify';
import { csvFormatFor, csvStream, xlsxStream } from '../../lib/exports/writers';
import { EXPORT_NAMES, exportSource, type ExportFilters } from '../../lib/ledger/exports';
import type { AppDeps } from '../app';
import { badRequest } from '../problem';
import { exportSchema } from '../schemas/exports';

type ExportQuery = ExportFilters & { locale?: string };

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

export function exportRoutes(app: FastifyInstance, deps: AppDeps) {
  for (const name of EXPORT_NAMES) {
    for (const format of ['csv', 'xlsx'] as const) {
      app.get<{ Querystring: ExportQuery }>(
        `/v1/exports/${name}.${format}`,
        { schema: exportSchema(name, format), config: { roles: ['supervisor'] } },
        async (req, reply) => {
          const { locale, ...filters } = req.query;
          checkPeriod(req.query);
          const source = exportSource(deps.db, name, filters);
          const file = `${name}-${new Date().toISOString().slice(0, 10)}.${format}`;
          reply.type(CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="${file}"`);
          return reply.send(format === 'csv' ? csvStream(source, csvFormatFor(locale)) : xlsxStream(source, name));
        },
      );
    }
  }
}
