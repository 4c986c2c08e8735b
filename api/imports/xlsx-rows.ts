// Reads the first sheet of an .xlsx export row by row, so a large workbook is never held as a model.

import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CellValue } from './portfolio-line.js';
import type { SheetRow } from './sheet-row.js';
import { PortfolioFileError } from './portfolio-file-error.js';

/** Flattens what exceljs gives for a cell (formulas, rich text, hyperlinks, errors) into a plain value. */
export function plainCell(value: unknown): CellValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value !== 'object') return undefined;
  if ('result' in value) return plainCell(value.result);
  if ('richText' in value && Array.isArray(value.richText)) {
    return value.richText.map((run: { text?: unknown }) => (typeof run.text === 'string' ? run.text : '')).join('');
  }
  if ('text' in value) return plainCell(value.text);
  if ('error' in value && typeof value.error === 'string') return value.error;
  return undefined;
}

export async function* xlsxRows(bytes: Buffer): AsyncGenerator<SheetRow> {
  // Styles are needed to tell a date cell from a number cell.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
  });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = Array.isArray(row.values) ? row.values : [];
      // exceljs row values are 1-based: index 0 is always empty.
      yield { line: row.number, cells: values.slice(1).map(plainCell) };
    }
    return;
  }
  // A zip without a worksheet (a .docx, an archive of files) is no workbook at all.
  throw new PortfolioFileError(
    'the file is a zip archive but not an Excel workbook (it has no worksheet); save the sheet as .xlsx or CSV',
    [],
  );
}
