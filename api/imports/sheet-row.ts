// The common shape CSV and XLSX readers hand to the portfolio parser.

import type { CellValue } from './portfolio-line.js';

export interface SheetRow {
  /** The row number a spreadsheet shows for this line (the first row is 1). */
  line: number;
  /** By column position; holes are empty cells. */
  cells: (CellValue | undefined)[];
}
