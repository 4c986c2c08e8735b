// Builders for portfolio files shaped like real ERP exports, and a strict copy of CONTRACT §2's body.

import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { ParsedLine, PortfolioInput } from '../../api/imports/portfolio-parser.js';
import { parsePortfolio } from '../../api/imports/portfolio-parser.js';

const BOM = '\uFEFF';

/** A CSV the way Excel in a Spanish locale saves it: BOM, ";" separators, CRLF, quotes where needed. */
export function spanishCsv(rows: readonly (readonly string[])[]): Buffer {
  const quote = (field: string): string => (/[;"\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
  return Buffer.from(BOM + rows.map((row) => row.map(quote).join(';')).join('\r\n') + '\r\n', 'utf8');
}

export async function xlsxBuffer(
  rows: readonly (readonly unknown[])[],
  fill?: (sheet: ExcelJS.Worksheet) => void,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Cartera');
  for (const row of rows) sheet.addRow([...row]);
  fill?.(sheet);
  workbook.addWorksheet('Resumen').addRow(['Factura', 'Cliente', 'Monto']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A one-file zip archive (stored, not deflated): what a .docx or any archive renamed .xlsx starts as. */
export function storedZip(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const file = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(local.length + file.length + data.length, 16);
  return Buffer.concat([local, file, data, central, file, end]);
}

export async function parseAll(input: PortfolioInput): Promise<ParsedLine[]> {
  const lines: ParsedLine[] = [];
  for await (const line of parsePortfolio(input)) lines.push(line);
  return lines;
}

export function okLine(line: ParsedLine | undefined): Extract<ParsedLine, { ok: true }>['invoice'] {
  if (!line?.ok) throw new Error(`expected an ok line, got ${JSON.stringify(line)}`);
  return line.invoice;
}

export function badLine(line: ParsedLine | undefined): Extract<ParsedLine, { ok: false }> {
  if (!line || line.ok) throw new Error(`expected a bad line, got ${JSON.stringify(line)}`);
  return line;
}

/** Mirrors `POST /v1/invoices`; strict so that any extra or misspelt key fails the test. */
export const invoiceBody = z.strictObject({
  externalId: z.string().min(1),
  debtor: z.strictObject({
    externalId: z.string().min(1),
    name: z.string().min(1),
    kind: z.enum(['person', 'company']),
    email: z.email().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/)
      .optional(),
    country: z.string().regex(/^[A-Z]{2}$/),
    timezone: z.string().optional(),
    locale: z.string().optional(),
  }),
  amount: z.string().regex(/^\d+(\.\d+)?$/),
  currency: z.string().regex(/^[A-Z]{3}$/),
  dueDate: z.iso.date(),
  issuedAt: z.iso.date().optional(),
  strategyId: z.string().optional(),
});
