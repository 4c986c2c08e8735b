// Which spreadsheet headers feed which field, for any file we read by columns (portfolio imports, bank
// statement CSVs). Headers are compared as sets of normalised words, so accents, case, punctuation,
// "de/del" and word order never matter, and either side of a "/" may match ("Razón Social / Nombre").
// An explicit mapping (field → the file's header text) wins over all.

export interface ColumnSpec<K extends string> {
  key: K;
  /** Whether a file may omit the column (a default may still be needed for each line). */
  required: boolean;
  description: string;
  /** In priority order: when a file has two of them (e.g. `monto` and `saldo`), the first listed wins. */
  synonyms: readonly string[];
}

export interface ColumnHelp<K extends string> {
  field: K;
  required: boolean;
  description: string;
  headers: string[];
}

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

/** Where a header named in an explicit mapping sits: the exact text first, then the same words. */
export function headerIndex(headers: readonly string[], name: string): number | undefined {
  const exact = headers.findIndex((header) => header.trim() === name.trim());
  if (exact >= 0) return exact;
  const key = headerKey(name);
  const similar = key === '' ? -1 : headers.findIndex((header) => headerKey(header) === key);
  return similar >= 0 ? similar : undefined;
}

export interface ColumnMatcher<K extends string> {
  keys: readonly K[];
  isKey(value: string): value is K;
  /**
   * The field a header names: the whole header first, else its "/" alternatives when all that match agree
   * on one field ("Teléfono / Celular"); alternatives naming two fields ("Cliente / RFC") match none.
   */
  matchHeader(header: string): { key: K; rank: number } | undefined;
  /**
   * Maps each known field to the index of the best matching header; unknown headers are kept only in `raw`.
   * Explicitly mapped fields take their named header and are never matched by synonym.
   */
  mapHeaders(headers: readonly string[], explicit?: Partial<Record<K, string>>): Partial<Record<K, number>>;
  /** The accepted headers, for the API docs, the README and the upload screen. */
  help(): ColumnHelp<K>[];
}

export function columnMatcher<K extends string>(columns: readonly ColumnSpec<K>[]): ColumnMatcher<K> {
  const keys = columns.map((column) => column.key);
  const bySynonym = new Map<string, { key: K; rank: number }>();
  for (const column of columns) {
    column.synonyms.forEach((synonym, rank) => {
      const normalized = headerKey(synonym);
      const taken = bySynonym.get(normalized);
      if (taken && taken.key !== column.key)
        throw new Error(`header synonym "${synonym}" is listed for both ${taken.key} and ${column.key}`);
      if (!taken) bySynonym.set(normalized, { key: column.key, rank });
    });
  }
  const matchHeader = (header: string) => {
    const whole = bySynonym.get(headerKey(header));
    if (whole) return whole;
    const matches = header
      .split('/')
      .map((part) => bySynonym.get(headerKey(part)))
      .filter((m) => m !== undefined);
    const [first] = matches;
    if (!first || matches.some((m) => m.key !== first.key)) return undefined;
    return matches.reduce((best, m) => (m.rank < best.rank ? m : best));
  };
  return {
    keys,
    isKey: (value): value is K => (keys as readonly string[]).includes(value),
    matchHeader,
    mapHeaders(headers, explicit = {}) {
      const mapping: Partial<Record<K, number>> = {};
      const taken = new Set<number>();
      for (const [key, name] of Object.entries(explicit) as [K, string][]) {
        const index = headerIndex(headers, name);
        if (index === undefined) continue;
        mapping[key] = index;
        taken.add(index);
      }
      const ranks: Partial<Record<K, number>> = {};
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
    },
    help: () =>
      columns.map((column) => ({
        field: column.key,
        required: column.required,
        description: column.description,
        headers: [...column.synonyms],
      })),
  };
}
