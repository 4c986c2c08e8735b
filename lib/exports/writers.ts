// Exports as files people open in Excel or load into BI: CSV (UTF-8 BOM, RFC 4180 quoting, `;` and decimal
// commas for Spanish locales) and XLSX (streamed workbook, real numbers for amounts). Both pull rows from the
// source only as fast as the client reads, so memory stays bounded whatever the row count.
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import type { ColumnKind, ExportSource } from '../ledger/exports';

export interface CsvFormat {
  delimiter: ',' | ';';
  decimal: '.' | ',';
}

/** Spanish locales (`es`, `es-MX`, …) get what a Spanish Excel expects: `;` between fields, decimal commas. */
export function csvFormatFor(locale: string | undefined): CsvFormat {
  return locale !== undefined && /^es(-|$)/i.test(locale)
    ? { delimiter: ';', decimal: ',' }
    : { delimiter: ',', decimal: '.' };
}

const BOM = '\uFEFF';
/** A text cell Excel would run as a formula (CSV injection) is kept as text with a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

interface Typed {
  kind: ColumnKind;
  /** As the driver gives it: the sources select text and integers only. */
  raw: string | number | null;
  currency: string | null;
}

const plain = (v: unknown): string | number | null => (typeof v === 'string' || typeof v === 'number' ? v : null);

function* typedCells(source: ExportSource, row: unknown[]): Generator<Typed> {
  const currencyAt = source.columns.findIndex((c) => c.header === source.currencyColumn);
  const value = currencyAt >= 0 ? row[currencyAt] : null;
  const currency = typeof value === 'string' ? value : null;
  for (let i = 0; i < source.columns.length; i++)
    yield { kind: source.columns[i]?.kind ?? 'text', raw: plain(row[i]), currency };
}

/** The exact decimal of a minor-unit amount ("150000" MXN → "1500.00"); never through a float. */
function decimalOf(raw: string | number | null, currency: string | null): string | null {
  if (raw === null || currency === null) return null;
  const minor = Number(raw);
  return Number.isSafeInteger(minor) ? formatMinor(minor, currencyDigits(currency)) : null;
}

function csvCell(cell: Typed, format: CsvFormat): string {
  if (cell.raw === null) return '';
  switch (cell.kind) {
    case 'money': {
      const text = decimalOf(cell.raw, cell.currency) ?? '';
      return format.decimal === ',' ? text.replace('.', ',') : text;
    }
    case 'decimal':
    case 'number': {
      const text = String(cell.raw);
      return format.decimal === ',' ? text.replace('.', ',') : text;
    }
    case 'int':
      return String(cell.raw);
    case 'date':
    case 'instant':
      return String(cell.raw);
    case 'text': {
      const text = String(cell.raw);
      return FORMULA_START.test(text) ? `'${text}` : text;
    }
  }
}

/** CSV with a UTF-8 BOM and a header row; CRLF between records (RFC 4180). */
export function csvStream(source: ExportSource, format: CsvFormat): Readable {
  const options = { delimiter: format.delimiter, record_delimiter: 'windows' as const };
  async function* chunks() {
    yield BOM + stringify([source.columns.map((c) => c.header)], options);
    for await (const batch of source.batches) {
      yield stringify(
        batch.map((row) => Array.from(typedCells(source, row), (cell) => csvCell(cell, format))),
        options,
      );
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

function xlsxCell(cell: Typed): ExcelJS.CellValue {
  if (cell.raw === null) return null;
  switch (cell.kind) {
    case 'money': {
      // The number Excel stores is the one nearest the exact decimal, read from its digits.
      const text = decimalOf(cell.raw, cell.currency);
      return text === null ? null : Number(text);
    }
    case 'int':
    case 'number':
    case 'decimal':
      // A decimal string becomes the number nearest it, read from its digits (never float arithmetic).
      return Number(cell.raw);
    case 'date': {
      const text = String(cell.raw);
      return /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : text;
    }
    case 'instant':
    case 'text':
      return String(cell.raw);
  }
}

const DEFAULT_MONEY_FORMAT = '0.00';
const moneyFormat = (currency: string | null) => {
  const digits = currency === null ? 2 : currencyDigits(currency);
  return digits === 0 ? '0' : `0.${'0'.repeat(digits)}`;
};

const MAX_SHEET_BACKLOG_BYTES = 1 << 20;

/**
 * exceljs' worksheet stream hands its XML to the zip's deflater without backpressure, and deflating is
 * slower than writing rows: the XML not yet compressed (in the sheet's buffers and the deflater's) is
 * measured here so the writer waits for it instead of holding the whole sheet in memory.
 */
function sheetBacklog(sheet: unknown): number {
  const stream = (sheet as { stream?: { length?: number; pipes?: { writableLength?: number }[] } }).stream;
  return (stream?.length ?? 0) + (stream?.pipes ?? []).reduce((n, p) => n + (p.writableLength ?? 0), 0);
}

/** One worksheet streamed row by row (no shared strings, so nothing grows with the row count). */
export function xlsxStream(source: ExportSource, sheetName: string): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName);
  sheet.columns = source.columns.map((c) => ({
    header: c.header,
    key: c.header,
    width: Math.max(12, c.header.length + 2),
    ...(c.kind === 'date' ? { style: { numFmt: 'yyyy-mm-dd' } } : {}),
    ...(c.kind === 'money' || c.kind === 'decimal' ? { style: { numFmt: DEFAULT_MONEY_FORMAT } } : {}),
  }));
  const moneyColumns = source.columns.flatMap((c, i) => (c.kind === 'money' || c.kind === 'decimal' ? [i + 1] : []));
  const pump = async () => {
    for await (const batch of source.batches) {
      for (const raw of batch) {
        const cells = Array.from(typedCells(source, raw));
        const row = sheet.addRow(cells.map(xlsxCell));
        const currency = cells[0]?.currency ?? null;
        // Cells take their column's two decimals; only other currencies (CLP 0, KWD 3) set their own.
        const format = moneyFormat(currency);
        if (format !== DEFAULT_MONEY_FORMAT) for (const index of moneyColumns) row.getCell(index).numFmt = format;
        row.commit();
      }
      while (sheetBacklog(sheet) > MAX_SHEET_BACKLOG_BYTES && !out.destroyed)
        await new Promise((r) => setTimeout(r, 5));
      if (out.destroyed) return;
      // The client reads slower than PostgreSQL answers: wait for it before the next batch.
      if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      if (out.destroyed) return;
    }
    sheet.commit();
    await workbook.commit();
  };
  pump().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
