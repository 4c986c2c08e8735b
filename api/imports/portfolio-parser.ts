// Turns an uploaded portfolio file (CSV or XLSX) into a stream of invoice inputs or per-line errors.
// Problems with one line never stop the others; only an unreadable file or missing columns do.

import type { ColumnKey, ColumnMapping } from './portfolio-columns.js';
import { COLUMNS, mapHeaders } from './portfolio-columns.js';
import type { DebtorKind, FieldError, InvoiceInput } from './invoice-input.js';
import type { CellValue, LineDefaults } from './portfolio-line.js';
import { cellText, parseLine } from './portfolio-line.js';
import type { SheetRow } from './sheet-row.js';
import { csvRows } from './csv-rows.js';
import { xlsxRows } from './xlsx-rows.js';
import { detectFormat } from './file-format.js';
import { checkDefaults } from './portfolio-defaults.js';
import { PortfolioFileError } from './portfolio-file-error.js';

export { PortfolioFileError } from './portfolio-file-error.js';
export { portfolioColumnsHelp } from './portfolio-columns.js';
export type { ColumnHelp } from './portfolio-columns.js';

export type ParsedLine =
  | { line: number; ok: true; invoice: InvoiceInput }
  | { line: number; ok: false; errors: FieldError[]; raw: Record<string, string> };

export interface PortfolioInput {
  bytes: Buffer;
  filename?: string;
  contentType?: string;
  /** Used when a line leaves the cell blank or the file has no such column. */
  defaults?: { country?: string; currency?: string; kind?: DebtorKind };
}

// Exports often start with a title, a date or a company name above the real header.
const HEADER_SEARCH_ROWS = 10;
const MIN_KNOWN_HEADERS = 2;

function isBlank(row: SheetRow): boolean {
  return row.cells.every((cell) => cellText(cell) === '');
}

/** Header names made unique so `raw` keeps every column, even two both called "Monto". */
function uniqueHeaders(cells: readonly (CellValue | undefined)[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, index) => {
    const name = cellText(cell) || `column ${index + 1}`;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}

function missingColumns(mapping: ColumnMapping, defaults: LineDefaults): FieldError[] {
  const fallbacks: Partial<Record<ColumnKey, unknown>> = {
    'debtor.country': defaults.country,
    currency: defaults.currency,
    'debtor.kind': defaults.kind,
  };
  return COLUMNS.filter((column) => mapping[column.key] === undefined)
    .filter((column) => column.required || (column.key in fallbacks && fallbacks[column.key] === undefined))
    .map((column) => ({
      field: column.key,
      message: column.required
        ? `no column for it; name one ${column.synonyms
            .slice(0, 3)
            .map((s) => `"${s}"`)
            .join(', ')}…`
        : `no column for it and no default given; name one ${column.synonyms
            .slice(0, 2)
            .map((s) => `"${s}"`)
            .join(', ')}…`,
    }));
}

export async function* parsePortfolio(input: PortfolioInput): AsyncGenerator<ParsedLine> {
  const defaults = checkDefaults(input.defaults ?? {});
  const format = detectFormat(input.bytes, input.filename, input.contentType);
  const rows = format === 'xlsx' ? xlsxRows(input.bytes) : csvRows(input.bytes);

  let headers: string[] | undefined;
  let mapping: ColumnMapping = {};
  let searched = 0;
  for await (const row of rows) {
    if (isBlank(row)) continue;
    if (!headers) {
      searched += 1;
      const candidate = mapHeaders(row.cells.map(cellText));
      if (Object.keys(candidate).length >= MIN_KNOWN_HEADERS) {
        headers = uniqueHeaders(row.cells);
        mapping = candidate;
        const missing = missingColumns(mapping, defaults);
        if (missing.length > 0)
          throw new PortfolioFileError(`line ${row.line} is the header but lacks required columns`, missing);
      } else if (searched >= HEADER_SEARCH_ROWS) break;
      continue;
    }
    const cells = row.cells;
    const result = parseLine((key) => {
      const index = mapping[key];
      return index === undefined ? undefined : cells[index];
    }, defaults);
    if (result.ok) {
      yield { line: row.line, ok: true, invoice: result.invoice };
    } else {
      const raw: Record<string, string> = {};
      const width = Math.max(headers.length, cells.length);
      for (let index = 0; index < width; index += 1)
        raw[headers[index] ?? `column ${index + 1}`] = cellText(cells[index]);
      yield { line: row.line, ok: false, errors: result.errors, raw };
    }
  }
  if (!headers) {
    throw new PortfolioFileError(
      'no header row found in the first lines; see portfolioColumnsHelp() for accepted names',
      [],
    );
  }
}
