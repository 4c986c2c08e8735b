// Raised when the file as a whole cannot be imported (unreadable, no header, required columns missing);
// the import job should fail with these errors instead of reporting every line as bad.

import type { FieldError } from './invoice-input.js';

export class PortfolioFileError extends Error {
  override readonly name = 'PortfolioFileError';

  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}
