import { accountFilterProperties } from './account-list';
import { currencyCode, isoDate, problemResponses, uuidParam } from './common';
import { auditFilters } from './audit';
import { kpisSchema } from './kpis';

const name = { type: 'string', minLength: 1, maxLength: 100 } as const;
const locale = {
  type: 'string',
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
  description:
    'CSV only: a Spanish locale (`es`, `es-MX`, …) separates fields with `;` and writes decimal commas (what a Spanish Excel expects); any other, `,` and a dot.',
} as const;
const period = {
  from: { ...isoDate, description: 'first date included (YYYY-MM-DD)' },
  to: { ...isoDate, description: 'last date included (YYYY-MM-DD)' },
} as const;

/** The filters of each export: those of the matching list, plus `locale`. */
export const exportFilters = {
  accounts: accountFilterProperties,
  ledger: {
    ...period,
    type: { type: 'string', pattern: '^[a-z_]{1,40}$', description: 'a timeline entry type, e.g. `payment`' },
    accountId: uuidParam,
    strategyId: name,
    channel: name,
    currency: currencyCode,
  },
  payments: {
    ...period,
    accountId: uuidParam,
    debtorExternalId: { type: 'string', minLength: 1, maxLength: 200 },
    currency: currencyCode,
  },
  promises: {
    ...period,
    status: { type: 'string', enum: ['active', 'kept', 'broken'] },
    accountId: uuidParam,
    strategyId: name,
    currency: currencyCode,
  },
  kpis: kpisSchema.querystring.properties,
  audit: auditFilters,
} as const;

const descriptions = {
  accounts: 'Accounts from the read model, oldest first (the filters of `GET /v1/accounts`).',
  ledger:
    'Ledger entries (every timeline entry of every account), by local date; `from`/`to` are the debtor’s local dates.',
  payments: 'Payments as reported; `from`/`to` are UTC dates of `paidAt`.',
  promises:
    'Promises to pay from the ledger, each with its outcome (`active`, `kept`, `broken`); `from`/`to` are the local dates they were accepted.',
  kpis:
    'The figures of `GET /v1/kpis` (same parameters, same formulas), one row per group: its key, then every figure; ' +
    'per-channel and per-reason counts get a column each (`messages.email`, `deferred.outside_window`, …).',
  audit:
    'The audit log (the filters of `GET /v1/audit`), oldest first; `target`, `body`, `before` and `after` as JSON text.',
} as const;

export function exportSchema(exportName: keyof typeof exportFilters, format: 'csv' | 'xlsx') {
  return {
    tags: ['exports'],
    summary: `Export ${exportName} as ${format.toUpperCase()}.`,
    description:
      `${descriptions[exportName]} Streamed from PostgreSQL by a cursor. ` +
      (format === 'csv'
        ? 'CSV with a UTF-8 BOM and a header row, RFC 4180 quoting, CRLF line ends; amounts are exact decimals of the ' +
          'row’s currency; text that Excel would run as a formula starts with an apostrophe.'
        : 'One worksheet with a header row; amounts are numeric cells with the currency’s decimals, dates are date cells, instants ISO 8601 text.'),
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: { ...exportFilters[exportName], locale },
      ...(exportName === 'kpis' ? { required: ['from', 'to'] } : {}),
    },
    response: {
      200: {
        description: format === 'csv' ? 'text/csv; charset=utf-8' : 'an Office Open XML workbook',
        content: {
          [format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']: {
            schema: { type: 'string' },
          },
        },
      },
      ...problemResponses(400, 401, 403),
    },
  } as const;
}
