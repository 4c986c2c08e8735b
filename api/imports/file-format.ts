// Decides how to read an upload. The bytes win over the name, because ERPs often save CSV as ".xls"
// and browsers send whatever content type the extension suggests.

import { PortfolioFileError } from './portfolio-file-error.js';

export type PortfolioFormat = 'csv' | 'xlsx';

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return magic.every((byte, index) => bytes[index] === byte);
}

export function detectFormat(bytes: Buffer, filename?: string, contentType?: string): PortfolioFormat {
  if (bytes.length === 0) throw new PortfolioFileError('the file is empty', []);
  if (startsWith(bytes, ZIP)) return 'xlsx';
  if (startsWith(bytes, OLE)) {
    throw new PortfolioFileError('old Excel .xls files are not supported; save the sheet as .xlsx or CSV', []);
  }
  const head = bytes.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<html') || head.startsWith('<!doctype') || head.startsWith('<table')) {
    throw new PortfolioFileError(
      'the file is a web page saved as a spreadsheet; open it in Excel and save it as .xlsx or CSV',
      [],
    );
  }
  const claimedXlsx = /\.xlsx$/i.test(filename ?? '') || (contentType ?? '').includes('spreadsheetml');
  if (claimedXlsx) throw new PortfolioFileError('the file is named .xlsx but is not an Excel workbook', []);
  return 'csv';
}
