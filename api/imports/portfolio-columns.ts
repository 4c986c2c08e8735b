// Which spreadsheet headers feed which invoice field. Extend by adding synonyms to COLUMNS; headers are
// compared as sets of normalised words, so accents, case, punctuation, "de/del" and word order never
// matter, and either side of a "/" may match ("Razón Social / Nombre"). An explicit mapping wins over all.

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

interface ColumnSpec {
  key: ColumnKey;
  /** Whether a file may omit the column (a default may still be needed for each line). */
  required: boolean;
  description: string;
  /** In priority order: when a file has two of them (e.g. `monto` and `saldo`), the first listed wins. */
  synonyms: readonly string[];
}

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

const FILLER_WORDS = new Set(['de', 'del', 'la', 'el', 'of', 'the']);

/** "Número de Factura", "N° FACTURA" and "nro_factura" all become comparable keys. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/#/g, ' nro ')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((word) => word !== '' && !FILLER_WORDS.has(word))
    .join(' ');
}

/** The header's words in a fixed order: "Cliente ID" and "ID Cliente" are one key. */
export function headerKey(header: string): string {
  return normalizeHeader(header).split(' ').sort().join(' ');
}

export const COLUMN_KEYS: readonly ColumnKey[] = COLUMNS.map((column) => column.key);

export function isColumnKey(value: string): value is ColumnKey {
  return (COLUMN_KEYS as readonly string[]).includes(value);
}

const BY_SYNONYM = new Map<string, { key: ColumnKey; rank: number }>();
for (const column of COLUMNS) {
  column.synonyms.forEach((synonym, rank) => {
    const normalized = headerKey(synonym);
    const taken = BY_SYNONYM.get(normalized);
    if (taken && taken.key !== column.key)
      throw new Error(`header synonym "${synonym}" is listed for both ${taken.key} and ${column.key}`);
    if (!taken) BY_SYNONYM.set(normalized, { key: column.key, rank });
  });
}

/**
 * The field a header names: the whole header first, else its "/" alternatives when all that match agree
 * on one field ("Teléfono / Celular"); alternatives naming two fields ("Cliente / RFC") match none.
 */
export function matchHeader(header: string): { key: ColumnKey; rank: number } | undefined {
  const whole = BY_SYNONYM.get(headerKey(header));
  if (whole) return whole;
  const matches = header
    .split('/')
    .map((part) => BY_SYNONYM.get(headerKey(part)))
    .filter((m) => m !== undefined);
  const [first] = matches;
  if (!first || matches.some((m) => m.key !== first.key)) return undefined;
  return matches.reduce((best, m) => (m.rank < best.rank ? m : best));
}

export type ColumnMapping = Partial<Record<ColumnKey, number>>;
/** What the caller says: field → the file's header text (`debtor.externalId=Cliente ID`). */
export type ExplicitMapping = Partial<Record<ColumnKey, string>>;

/** Where a header named in an explicit mapping sits: the exact text first, then the same words. */
export function headerIndex(headers: readonly string[], name: string): number | undefined {
  const exact = headers.findIndex((header) => header.trim() === name.trim());
  if (exact >= 0) return exact;
  const key = headerKey(name);
  const similar = key === '' ? -1 : headers.findIndex((header) => headerKey(header) === key);
  return similar >= 0 ? similar : undefined;
}

/**
 * Maps each known field to the index of the best matching header; unknown headers are kept only in `raw`.
 * Explicitly mapped fields take their named header and are never matched by synonym.
 */
export function mapHeaders(headers: readonly string[], explicit: ExplicitMapping = {}): ColumnMapping {
  const mapping: ColumnMapping = {};
  const taken = new Set<number>();
  for (const [key, name] of Object.entries(explicit) as [ColumnKey, string][]) {
    const index = headerIndex(headers, name);
    if (index === undefined) continue;
    mapping[key] = index;
    taken.add(index);
  }
  const ranks: Partial<Record<ColumnKey, number>> = {};
  headers.forEach((header, index) => {
    const match = taken.has(index) ? undefined : matchHeader(header);
    if (!match || explicit[match.key] !== undefined) return;
    const current = ranks[match.key];
    if (current === undefined || match.rank < current) {
      mapping[match.key] = index;
      ranks[match.key] = match.rank;
    }
  });
  return mapping;
}

export interface ColumnHelp {
  field: ColumnKey;
  required: boolean;
  description: string;
  headers: string[];
}

/** The accepted headers, for the API docs, the README and the upload screen. */
export function portfolioColumnsHelp(): ColumnHelp[] {
  return COLUMNS.map((column) => ({
    field: column.key,
    required: column.required,
    description: column.description,
    headers: [...column.synonyms],
  }));
}
