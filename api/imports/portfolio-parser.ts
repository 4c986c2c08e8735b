// Turns an uploaded portfolio file (CSV or XLSX) into a stream of invoice inputs or per-line errors.
// Problems with one line never stop the others; only an unreadable file or missing columns do.

import type { ColumnKey, ColumnMapping, ExplicitMapping } from './portfolio-columns.js';
import { COLUMNS, mapHeaders } from './portfolio-columns.js';
import type { DebtorKind, FieldError, InvoiceInput } from './invoice-input.js';
import type { CellValue, LineDefaults } from './portfolio-line.js';
import { cellText, parseLine } from './portfolio-line.js';
import type { SheetRow } from './sheet-row.js';
import { csvRows } from '../../lib/tabular/csv-rows.js';
import { xlsxRows } from './xlsx-rows.js';
import { detectFormat } from './file-format.js';
import { checkDefaults } from './portfolio-defaults.js';
import { PortfolioFileError, unreadableFile } from './portfolio-file-error.js';
import { quoteList, unknownMappedHeaders } from './column-mapping.js';

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
  /** Field → header text, for headers no synonym matches; checked by checkMapping. */
  mapping?: ExplicitMapping;
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

const candidates = (column: (typeof COLUMNS)[number]) => `name one ${quoteList(column.synonyms)}`;

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
      message: `${column.required ? 'no column for it' : 'no column for it and no default given'}; ${candidates(column)}, or map one of the file's headers to ${column.key}`,
    }));
}

/** Reads the rows of either format; a file the reader chokes on is a PortfolioFileError saying why. */
async function* rowsOf(input: PortfolioInput): AsyncGenerator<SheetRow> {
  const format = detectFormat(input.bytes, input.filename, input.contentType);
  let line = 0;
  try {
    for await (const row of format === 'xlsx'
      ? xlsxRows(input.bytes)
      : csvRows(input.bytes, (fields) => Object.keys(mapHeaders(fields, input.mapping)).length)) {
      line = row.line;
      yield row;
    }
  } catch (err) {
    throw unreadableFile(err, format, line);
  }
}

interface Header {
  line: number;
  headers: string[];
  mapping: ColumnMapping;
}

type HeaderSearch = { header: Header } | { row: SheetRow } | { noHeader: string[] };

/**
 * The first row (of the first few non-blank ones) in which at least two known headers are found, then
 * every non-blank row after it; `noHeader` (with the first line's cells) when there is no such row.
 */
async function* withHeader(input: PortfolioInput): AsyncGenerator<HeaderSearch> {
  let searched = 0;
  let found = false;
  let first: string[] | undefined;
  for await (const row of rowsOf(input)) {
    if (isBlank(row)) continue;
    if (found) {
      yield { row };
      continue;
    }
    searched += 1;
    const texts = row.cells.map(cellText);
    first ??= texts.filter((t) => t !== '');
    const mapping = mapHeaders(texts, input.mapping);
    if (Object.keys(mapping).length >= MIN_KNOWN_HEADERS) {
      found = true;
      yield { header: { line: row.line, headers: uniqueHeaders(row.cells), mapping } };
    } else if (searched >= HEADER_SEARCH_ROWS) break;
  }
  if (!found) yield { noHeader: first ?? [] };
}

function noHeaderError(first: string[]): PortfolioFileError {
  return new PortfolioFileError(
    `no header row found in the first ${HEADER_SEARCH_ROWS} lines; the first line reads ${quoteList(first)}. ` +
      'Name the columns as listed for each field, or map them.',
    COLUMNS.filter((c) => c.required).map((c) => ({ field: c.key, message: candidates(c) })),
    first,
  );
}

function checkHeader(header: Header, input: PortfolioInput, defaults: LineDefaults): void {
  const unmapped = unknownMappedHeaders(input.mapping ?? {}, header.headers);
  const missing = missingColumns(header.mapping, defaults);
  if (unmapped.length + missing.length === 0) return;
  throw new PortfolioFileError(
    `line ${header.line} is the header but ${missing.length > 0 ? 'lacks required columns' : 'lacks mapped headers'}; ` +
      `the file's headers are ${quoteList(header.headers)}`,
    [...unmapped, ...missing],
    header.headers,
  );
}

/** The header row, for checks before a job starts; null when none is found in the first lines. */
export async function readPortfolioHeader(input: PortfolioInput): Promise<{ line: number; headers: string[] } | null> {
  for await (const item of withHeader(input)) {
    if ('header' in item) return { line: item.header.line, headers: item.header.headers };
    if ('noHeader' in item) return null;
  }
  return null;
}

/** Reads the whole file once without judging lines: its data lines, or the file's problem. */
export async function countPortfolioLines(input: PortfolioInput): Promise<number> {
  const defaults = checkDefaults(input.defaults ?? {});
  let lines = 0;
  for await (const item of withHeader(input)) {
    if ('header' in item) checkHeader(item.header, input, defaults);
    else if ('noHeader' in item) throw noHeaderError(item.noHeader);
    else lines += 1;
  }
  return lines;
}

export async function* parsePortfolio(input: PortfolioInput): AsyncGenerator<ParsedLine> {
  const defaults = checkDefaults(input.defaults ?? {});
  let header: Header | undefined;
  for await (const item of withHeader(input)) {
    if ('noHeader' in item) throw noHeaderError(item.noHeader);
    if ('header' in item) {
      checkHeader(item.header, input, defaults);
      header = item.header;
      continue;
    }
    if (!header) continue;
    const { mapping, headers } = header;
    const cells = item.row.cells;
    const result = parseLine((key) => {
      const index = mapping[key];
      return index === undefined ? undefined : cells[index];
    }, defaults);
    if (result.ok) {
      yield { line: item.row.line, ok: true, invoice: result.invoice };
    } else {
      const raw: Record<string, string> = {};
      const width = Math.max(headers.length, cells.length);
      for (let index = 0; index < width; index += 1)
        raw[headers[index] ?? `column ${index + 1}`] = cellText(cells[index]);
      yield { line: item.row.line, ok: false, errors: result.errors, raw };
    }
  }
}
