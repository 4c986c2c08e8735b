// Bank statement CSVs as Latin American banks export them: a preamble (bank, account, period) above a header
// row in Spanish, amounts as "1.234,56" or "1,234.56", dates dd/mm/yyyy, credits and debits in two columns or
// one signed amount. Read with the portfolio import's CSV reader, amount/date parsing and header matching.
import { csvRows } from '../tabular/csv-rows';
import { parseDate } from '../tabular/dates';
import { parseCurrency } from '../tabular/money';
import { columnMatcher, headerIndex, type ColumnSpec } from '../tabular/headers';
import { localAmountMinor } from './amount';
import {
  StatementFileError,
  type FieldError,
  type ParsedLine,
  type StatementDefaults,
  type StatementLine,
} from './types';

export type StatementColumn =
  | 'date'
  | 'valueDate'
  | 'description'
  | 'reference'
  | 'trackingKey'
  | 'credit'
  | 'debit'
  | 'amount'
  | 'currency'
  | 'account'
  | 'counterpartyName'
  | 'counterpartyTaxId'
  | 'counterpartyAccount';

export const STATEMENT_COLUMNS: readonly ColumnSpec<StatementColumn>[] = [
  {
    key: 'date',
    required: true,
    description: 'Booking date (dd/mm/yyyy or yyyy-mm-dd)',
    synonyms: ['fecha', 'fecha operacion', 'fecha movimiento', 'fecha contable', 'dia', 'date', 'booking date'],
  },
  {
    key: 'valueDate',
    required: false,
    description: 'Value date',
    synonyms: ['fecha valor', 'fecha aplicacion', 'value date'],
  },
  {
    key: 'description',
    required: false,
    description: 'Concept / remittance text (where references and invoice numbers are found)',
    synonyms: ['concepto', 'descripcion', 'detalle', 'leyenda', 'glosa', 'concepto pago', 'description', 'narrative'],
  },
  {
    key: 'reference',
    required: false,
    description: 'Reference the payer gave, or the bank movement number',
    synonyms: [
      'referencia',
      'referencia numerica',
      'no referencia',
      'nro referencia',
      'folio',
      'numero operacion',
      'nro operacion',
      'reference',
    ],
  },
  {
    key: 'trackingKey',
    required: false,
    description: "The bank's own id of the movement (SPEI clave de rastreo)",
    synonyms: ['clave rastreo', 'rastreo', 'id movimiento', 'tracking key', 'bank reference'],
  },
  {
    key: 'credit',
    required: false,
    description: 'Money in',
    synonyms: [
      'abono',
      'abonos',
      'deposito',
      'depositos',
      'credito',
      'creditos',
      'ingreso',
      'ingresos',
      'haber',
      'credit',
    ],
  },
  {
    key: 'debit',
    required: false,
    description: 'Money out',
    synonyms: ['cargo', 'cargos', 'retiro', 'retiros', 'debito', 'debitos', 'egreso', 'egresos', 'debe', 'debit'],
  },
  {
    key: 'amount',
    required: false,
    description: 'Signed amount, when credits and debits share one column',
    synonyms: ['importe', 'monto', 'valor', 'amount'],
  },
  { key: 'currency', required: false, description: 'Currency (ISO 4217)', synonyms: ['moneda', 'divisa', 'currency'] },
  {
    key: 'account',
    required: false,
    description: 'Our account, when the file lists several',
    synonyms: ['cuenta', 'numero cuenta', 'nro cuenta', 'account'],
  },
  {
    key: 'counterpartyName',
    required: false,
    description: 'Who paid',
    synonyms: ['ordenante', 'nombre ordenante', 'remitente', 'pagador', 'nombre', 'payer'],
  },
  {
    key: 'counterpartyTaxId',
    required: false,
    description: "The payer's tax id",
    synonyms: ['rfc ordenante', 'rfc', 'rut', 'nit', 'cuit', 'ruc', 'tax id'],
  },
  {
    key: 'counterpartyAccount',
    required: false,
    description: "The payer's account or CLABE",
    synonyms: ['cuenta ordenante', 'clabe ordenante', 'cuenta origen', 'clabe origen'],
  },
];

const matcher = columnMatcher(STATEMENT_COLUMNS);
export const statementColumnsHelp = () => matcher.help();

/** The preamble above the header row is at most this many rows (bank name, account, period, balances). */
const HEADER_SEARCH_ROWS = 25;

type Mapping = Partial<Record<StatementColumn, number>>;

export function checkStatementMapping(raw: Record<string, string> | undefined): {
  mapping: Partial<Record<StatementColumn, string>>;
  errors: FieldError[];
} {
  const mapping: Partial<Record<StatementColumn, string>> = {};
  const errors: FieldError[] = [];
  for (const [field, header] of Object.entries(raw ?? {})) {
    if (!matcher.isKey(field))
      errors.push({
        field: `mapping.${field}`,
        message: `is not a statement column; they are ${matcher.keys.join(', ')}`,
      });
    else mapping[field] = header;
  }
  return { mapping, errors };
}

const usable = (m: Mapping) =>
  m.date !== undefined && (m.credit !== undefined || m.debit !== undefined || m.amount !== undefined);

export async function parseStatementCsv(
  bytes: Buffer,
  defaults: StatementDefaults = {},
): Promise<{ format: 'csv'; lines: ParsedLine[] }> {
  const { mapping: explicit, errors: mappingErrors } = checkStatementMapping(defaults.mapping);
  if (mappingErrors.length > 0) throw new StatementFileError('invalid column mapping', mappingErrors);
  const lines: ParsedLine[] = [];
  let columns: Mapping | undefined;
  let preambleAccount: string | undefined;
  for await (const row of csvRows(bytes, (fields) => Object.keys(matcher.mapHeaders(fields, explicit)).length)) {
    const cells = row.cells.map((c) => (c ?? '').trim());
    if (!columns) {
      const candidate = matcher.mapHeaders(cells, explicit);
      if (
        usable(candidate) &&
        Object.keys(explicit).every((k) => headerIndex(cells, explicit[k as StatementColumn] ?? '') !== undefined)
      ) {
        columns = candidate;
        continue;
      }
      // "Cuenta: 0123456789" / "No. de cuenta;0123456789" in the preamble names our account.
      const joined = cells.join(' ');
      const acct = /cuenta\D{0,12}(\d[\d\s-]{5,30}\d)/i.exec(joined);
      if (acct?.[1]) preambleAccount ??= acct[1].replace(/[\s-]/g, '');
      if (row.line >= HEADER_SEARCH_ROWS)
        throw new StatementFileError(
          'no header row found: a statement CSV needs a date column and a credit, debit or amount column',
          [
            {
              field: 'file',
              message: `known headers are ${STATEMENT_COLUMNS.flatMap((c) => c.synonyms.slice(0, 2)).join(', ')}`,
            },
          ],
        );
      continue;
    }
    if (cells.every((c) => c === '')) continue;
    lines.push(readRow(row.line, cells, columns, { ...defaults, account: defaults.account ?? preambleAccount }));
  }
  if (!columns)
    throw new StatementFileError(
      'no header row found: a statement CSV needs a date column and a credit, debit or amount column',
    );
  return { format: 'csv', lines };
}

function readRow(line: number, cells: string[], m: Mapping, defaults: StatementDefaults): ParsedLine {
  const cell = (key: StatementColumn) => (m[key] === undefined ? '' : (cells[m[key]] ?? ''));
  const raw = Object.fromEntries(matcher.keys.filter((k) => m[k] !== undefined).map((k) => [k, cell(k)]));
  const errors: FieldError[] = [];
  let currency = defaults.currency ?? 'MXN';
  if (cell('currency')) {
    const c = parseCurrency(cell('currency'));
    if (c.ok) currency = c.value;
    else errors.push({ field: 'currency', message: c.message });
  }
  const date = parseDate(cell('date'));
  if (!date.ok) errors.push({ field: 'date', message: date.message });
  const valueDate = cell('valueDate') ? parseDate(cell('valueDate')) : null;
  if (valueDate && !valueDate.ok) errors.push({ field: 'valueDate', message: valueDate.message });
  let amountMinor = 0;
  const parts: [StatementColumn, number][] = [
    ['credit', 1],
    ['debit', -1],
    ['amount', 1],
  ];
  let found = 0;
  for (const [key, sign] of parts) {
    const text = cell(key);
    if (!text) continue;
    const a = localAmountMinor(text, currency);
    if (!a.ok) {
      errors.push({ field: key, message: a.message });
      continue;
    }
    if (a.value === 0) continue;
    found += 1;
    amountMinor = key === 'debit' ? -Math.abs(a.value) : sign * a.value;
  }
  if (found === 0 && errors.length === 0)
    errors.push({ field: 'amount', message: 'the line moves no money (no credit, debit or amount)' });
  if (found > 1) errors.push({ field: 'amount', message: 'has both a credit and a debit' });
  const account = cell('account') || defaults.account;
  if (!account)
    errors.push({ field: 'account', message: 'is unknown: name it in the upload (account=) or in a column' });
  if (errors.length > 0 || !date.ok || !account) return { ok: false, line, errors, raw };
  const description = cell('description');
  const reference = cell('reference');
  // A returned transfer ("devolución") comes back as a debit naming the original.
  const reversal =
    amountMinor < 0 && /devoluci[oó]n|devuelt|rechaz|reversa|return/i.test(`${description} ${reference}`);
  const value: StatementLine = {
    line,
    bank: defaults.bank ?? 'csv',
    account: account.replace(/[\s-]/g, ''),
    currency,
    bookingDate: date.value,
    valueDate: valueDate?.ok ? valueDate.value : null,
    amountMinor,
    reversal,
    bankReference: cell('trackingKey') || null,
    endToEndId: null,
    remittance: [description, reference].filter((p) => p).join(' ') || null,
    counterpartyName: cell('counterpartyName') || null,
    counterpartyTaxId: cell('counterpartyTaxId') || null,
    counterpartyAccount: cell('counterpartyAccount') || null,
  };
  return { ok: true, value };
}
