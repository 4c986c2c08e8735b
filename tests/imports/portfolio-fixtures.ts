// Builders for portfolio files shaped like real ERP exports, and a strict copy of CONTRACT §2's body.

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
