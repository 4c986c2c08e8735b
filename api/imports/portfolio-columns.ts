// Which spreadsheet headers feed which invoice field. Extend by adding synonyms to COLUMNS; headers are
// compared as sets of normalised words, so accents, case, punctuation, "de/del" and word order never
// matter, and either side of a "/" may match ("Razón Social / Nombre"). An explicit mapping wins over all.
// The matching itself (lib/tabular/headers.ts) is shared with the bank statement CSVs.

import {
  columnMatcher,
  headerIndex,
  headerKey,
  normalizeHeader,
  type ColumnHelp as GenericColumnHelp,
  type ColumnSpec as GenericColumnSpec,
} from '../../lib/tabular/headers';

export type ColumnKey =
  | 'externalId'
  | 'debtor.externalId'
  | 'debtor.name'
  | 'debtor.kind'
  | 'debtor.email'
  | 'debtor.phone'
  | 'debtor.country'
  | 'debtor.timezone'
  | 'debtor.locale'
  | 'amount'
  | 'currency'
  | 'dueDate'
  | 'issuedAt'
  | 'strategyId';

type ColumnSpec = GenericColumnSpec<ColumnKey>;

export const COLUMNS: readonly ColumnSpec[] = [
  {
    key: 'externalId',
    required: true,
    description: 'Invoice id in the source system',
    synonyms: [
      'factura',
      'nro factura',
      'n factura',
      'no factura',
      'num factura',
      'numero factura',
      'factura nro',
      'folio',
      'documento factura',
      'comprobante',
      'nro comprobante',
      'nro documento factura',
      'folio factura',
      'invoice',
      'invoice number',
      'invoice no',
      'invoice id',
      'invoice nro',
      'external id',
    ],
  },
  {
    key: 'debtor.externalId',
    required: true,
    description: 'Debtor id: tax id or customer code',
    synonyms: [
      'rut',
      'nit',
      'rfc',
      'ruc',
      'cuit',
      'cuil',
      'dni',
      'cedula',
      'curp',
      'id cliente',
      'codigo cliente',
      'cod cliente',
      'nro cliente',
      'numero cliente',
      'clave cliente',
      'documento',
      'documento identidad',
      'rut cliente',
      'nit cliente',
      'rfc cliente',
      'customer id',
      'client id',
      'debtor id',
      'customer code',
      'tax id',
      'vat',
      'vat number',
    ],
  },
  {
    key: 'debtor.name',
    required: true,
    description: 'Debtor name or company name',
    synonyms: [
      'razon social',
      'cliente',
      'nombre',
      'nombre cliente',
      'nombre completo',
      'deudor',
      'nombre deudor',
      'customer',
      'customer name',
      'client',
      'client name',
      'debtor',
      'debtor name',
      'name',
      'company name',
    ],
  },
  {
    key: 'debtor.kind',
    required: false,
    description: 'persona/natural/física or empresa/jurídica/moral',
    synonyms: [
      'tipo',
      'tipo cliente',
      'tipo persona',
      'tipo deudor',
      'persona',
      'kind',
      'type',
      'customer type',
      'debtor type',
    ],
  },
  {
    key: 'debtor.email',
    required: false,
    description: 'Debtor email',
    synonyms: ['correo', 'correo electronico', 'email', 'e mail', 'mail', 'email cliente', 'correo cliente'],
  },
  {
    key: 'debtor.phone',
    required: false,
    description: "Debtor phone, normalised to E.164 with the line's country",
    synonyms: [
      'celular',
      'whatsapp',
      'movil',
      'telefono',
      'telefono celular',
      'telefono movil',
      'fono',
      'tel',
      'mobile',
      'cell',
      'cell phone',
      'phone',
      'phone number',
      'telephone',
    ],
  },
  {
    key: 'debtor.country',
    required: false,
    description: 'ISO 3166 alpha-2 or a country name (México, Colombia…)',
    synonyms: ['pais', 'country', 'country code'],
  },
  {
    key: 'debtor.timezone',
    required: false,
    description: 'IANA time zone (America/Bogota)',
    synonyms: ['zona horaria', 'huso horario', 'timezone', 'time zone', 'tz'],
  },
  {
    key: 'debtor.locale',
    required: false,
    description: 'Language tag (es-CL)',
    synonyms: ['idioma', 'locale', 'language', 'lang'],
  },
  {
    key: 'amount',
    required: true,
    description: 'Amount owed: 1.234,56 or 1,234.56, never negative',
    synonyms: [
      'saldo',
      'saldo pendiente',
      'saldo adeudado',
      'monto',
      'monto adeudado',
      'monto pendiente',
      'importe',
      'importe pendiente',
      'valor',
      'valor factura',
      'deuda',
      'total',
      'balance',
      'outstanding',
      'amount due',
      'amount',
      'open amount',
      'value',
    ],
  },
  {
    key: 'currency',
    required: false,
    description: 'ISO 4217 code (CLP, MXN, USD)',
    synonyms: ['moneda', 'divisa', 'currency', 'currency code'],
  },
  {
    key: 'dueDate',
    required: true,
    description: 'Due date: dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, d/m/yy or an Excel date',
    synonyms: [
      'vencimiento',
      'vence',
      'fecha vencimiento',
      'fecha vto',
      'fecha vcto',
      'vto',
      'vcto',
      'fecha limite pago',
      'due date',
      'due',
      'payment due date',
    ],
  },
  {
    key: 'issuedAt',
    required: false,
    description: 'Issue date, same formats as the due date',
    synonyms: [
      'emision',
      'fecha emision',
      'fecha factura',
      'fecha documento',
      'fecha',
      'issued',
      'issue date',
      'issued at',
      'invoice date',
      'date',
    ],
  },
  {
    key: 'strategyId',
    required: false,
    description: 'Strategy id; blank lets segmentation choose',
    synonyms: ['estrategia', 'id estrategia', 'strategy', 'strategy id'],
  },
];

const matcher = columnMatcher(COLUMNS);

export { headerIndex, headerKey, normalizeHeader };

export const COLUMN_KEYS: readonly ColumnKey[] = matcher.keys;

export const isColumnKey = (value: string): value is ColumnKey => matcher.isKey(value);

/** See lib/tabular/headers.ts: the whole header first, else its agreeing "/" alternatives. */
export const matchHeader = (header: string) => matcher.matchHeader(header);

export type ColumnMapping = Partial<Record<ColumnKey, number>>;
/** What the caller says: field → the file's header text (`debtor.externalId=Cliente ID`). */
export type ExplicitMapping = Partial<Record<ColumnKey, string>>;

/**
 * Maps each known field to the index of the best matching header; unknown headers are kept only in `raw`.
 * Explicitly mapped fields take their named header and are never matched by synonym.
 */
export function mapHeaders(headers: readonly string[], explicit: ExplicitMapping = {}): ColumnMapping {
  return matcher.mapHeaders(headers, explicit);
}

export type ColumnHelp = GenericColumnHelp<ColumnKey>;

/** The accepted headers, for the API docs, the README and the upload screen. */
export function portfolioColumnsHelp(): ColumnHelp[] {
  return matcher.help();
}
