// Raised when the file as a whole cannot be imported (unreadable, no header, required columns missing);
// the import job should fail with these errors instead of reporting every line as bad.

import type { FieldError } from './invoice-input.js';

export class PortfolioFileError extends Error {
  override readonly name = 'PortfolioFileError';

  constructor(
    message: string,
    readonly errors: FieldError[],
    /** The file's own header row (or first line), shown beside the names it could have used. */
    readonly headers?: string[],
  ) {
    super(message);
  }
}

/** What a reader's failure means to the person who exported the file (never "internal error"). */
export function unreadableFile(err: unknown, format: 'csv' | 'xlsx', lastLine: number): PortfolioFileError {
  if (err instanceof PortfolioFileError) return err;
  const code = (err as { code?: unknown }).code;
  const detail = err instanceof Error ? err.message : String(err);
  if (format === 'csv' && code === 'CSV_QUOTE_NOT_CLOSED') {
    // csv-parse counts the records it finished; the unclosed one is the next (blank lines count, as here).
    const records = (err as { records?: unknown }).records;
    const line = typeof records === 'number' ? records + 1 : lastLine + 1;
    return new PortfolioFileError(
      `line ${line} opens a quoted field (") that is never closed, so the file cannot be read past it; ` +
        'close or remove that quote and upload the file again',
      [],
    );
  }
  if (format === 'csv') return new PortfolioFileError(`the CSV cannot be read after line ${lastLine}: ${detail}`, []);
  return new PortfolioFileError(
    `the file is a zip archive but not a readable Excel workbook (${detail}); open it in Excel and save it as .xlsx or CSV`,
    [],
  );
}
