// Issue 8 item 9 and issue 9 item 3: a real ERP export's headers match, an explicit mapping covers the
// rest, a missing column names the file's own headers beside every accepted name, and a file the readers
// choke on says what is wrong with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMapping } from '../../api/imports/column-mapping';
import { COLUMNS, matchHeader } from '../../api/imports/portfolio-columns';
import {
  countPortfolioLines,
  PortfolioFileError,
  readPortfolioHeader,
  type PortfolioInput,
} from '../../api/imports/portfolio-parser';
import { ERP_COUNTS, ERP_HEADERS, ERP_LINES, erpExport } from './erp-export';
import { badLine, invoiceBody, okLine, parseAll, spanishCsv, storedZip } from './portfolio-fixtures';

const fileError = async (input: PortfolioInput): Promise<PortfolioFileError> => {
  const error = await parseAll(input).catch((e: unknown) => e);
  if (!(error instanceof PortfolioFileError)) throw new Error(`expected a PortfolioFileError, got ${String(error)}`);
  return error;
};

describe('headers matched by their words', () => {
  it.each([
    ['Cliente ID', 'debtor.externalId'],
    ['ID del Cliente', 'debtor.externalId'],
    ['Razón Social / Nombre', 'debtor.name'],
    ['RAZON SOCIAL', 'debtor.name'],
    ['Nombre / Razón social', 'debtor.name'],
    ['Teléfono / Celular', 'debtor.phone'],
    ['Factura Nro.', 'externalId'],
    ['Vencimiento (fecha)', 'dueDate'],
    ['Saldo pendiente', 'amount'],
    ['Pendiente, saldo', 'amount'],
    ['No. Factura', 'externalId'],
    ['Tipo de Persona', 'debtor.kind'],
  ])('"%s" feeds %s', (header, field) => {
    expect(matchHeader(header)?.key).toBe(field);
  });

  it('leaves alone headers that name no field or two fields at once', () => {
    for (const header of ['Días Vencidos', 'Importe Original', 'Vendedor', 'Nombre / Moneda', 'Saldo / Vencimiento'])
      expect(matchHeader(header), header).toBeUndefined();
  });

  it(`reads the ${ERP_LINES}-line ERP export: every readable line, every unreadable one reported`, async () => {
    const { bytes } = erpExport('ERP');
    const input = { bytes, defaults: { country: 'MX' } };
    expect(await readPortfolioHeader(input)).toEqual({ line: 3, headers: [...ERP_HEADERS] });
    expect(await countPortfolioLines(input)).toBe(ERP_LINES);
    const lines = await parseAll(input);
    expect(lines).toHaveLength(ERP_LINES);
    const bad = lines.filter((l) => !l.ok);
    expect(bad).toHaveLength(ERP_COUNTS.unreadable);
    expect(
      bad
        .map((l) => badLine(l).errors.map((e) => e.field))
        .flat()
        .sort(),
    ).toEqual([
      'amount',
      'amount',
      'amount',
      'amount',
      'debtor.email',
      'debtor.externalId',
      'debtor.kind',
      'debtor.name',
      'dueDate',
      'dueDate',
    ]);
    const first = okLine(lines.find((l) => l.ok));
    expect(invoiceBody.safeParse(first).success).toBe(true);
    expect(first).toMatchObject({
      debtor: { externalId: 'ERP-C0000', country: 'MX', kind: 'person' },
      currency: 'MXN',
    });
    expect(first.debtor.name).toBe('Ana López');
  });
});

describe('an explicit column mapping', () => {
  const bytes = spanishCsv([
    ['Cod. Deudor', 'Titular', 'Doc', 'Vence', 'Pendiente MN'],
    ['D-1', 'Ana', 'F-1', '01/02/2026', '1.500,00'],
  ]);
  const mapping = {
    'debtor.externalId': 'Cod. Deudor',
    'debtor.name': 'Titular',
    externalId: 'Doc',
    dueDate: 'Vence',
    amount: 'pendiente mn',
  };
  const defaults = { country: 'MX', currency: 'MXN', kind: 'person' as const };

  it('reads headers no synonym knows, matching the mapped names by their words', async () => {
    const [line] = await parseAll({ bytes, defaults, mapping: checkMapping(mapping) });
    expect(okLine(line)).toMatchObject({
      externalId: 'F-1',
      debtor: { externalId: 'D-1', name: 'Ana' },
      amount: '1500.00',
      dueDate: '2026-02-01',
    });
  });

  it('wins over a synonym: a mapped field takes the named column, not the usual one', async () => {
    const file = spanishCsv([
      ['Factura', 'RFC', 'Cliente', 'Monto', 'Saldo real', 'Vencimiento'],
      ['F-1', 'R-1', 'Ana', '1.000,00', '250,00', '01/02/2026'],
    ]);
    const [line] = await parseAll({ bytes: file, defaults, mapping: { amount: 'Saldo real' } });
    expect(okLine(line).amount).toBe('250.00');
  });

  it('refuses a target that is no field and a header the file does not have, naming them', async () => {
    expect(() => checkMapping({ 'debtor.rfc': 'RFC', amount: 'Saldo' })).toThrow(PortfolioFileError);
    const unknown = (() => {
      try {
        return checkMapping({ 'debtor.rfc': 'RFC', amount: '' });
      } catch (e) {
        return e as PortfolioFileError;
      }
    })() as PortfolioFileError;
    expect(unknown.errors.map((e) => e.field)).toEqual(['mapping.debtor.rfc', 'mapping.amount']);
    expect(unknown.errors[0]?.message).toContain('debtor.externalId');

    const error = await fileError({ bytes, defaults, mapping: { ...mapping, dueDate: 'Fecha Vto' } });
    expect(error.errors).toEqual([
      expect.objectContaining({ field: 'mapping.dueDate', message: expect.stringContaining('"Fecha Vto"') }),
      expect.objectContaining({ field: 'dueDate' }),
    ]);
  });
});

describe('a file missing a required column', () => {
  it("names the file's own headers beside every accepted name, none cut short", async () => {
    const headers = ['Cliente ID', 'Razón Social / Nombre', 'Saldo Pendiente', 'Observaciones del vendedor'];
    const error = await fileError({
      bytes: spanishCsv([headers, ['C-1', 'Ana', '100,00', '']]),
      defaults: { country: 'MX', currency: 'MXN', kind: 'person' },
    });
    expect(error.headers).toEqual(headers);
    for (const header of headers) expect(error.message).toContain(`"${header}"`);
    expect(error.errors.map((e) => e.field)).toEqual(['externalId', 'dueDate']);
    for (const e of error.errors) {
      const column = COLUMNS.find((c) => c.key === e.field);
      for (const synonym of column?.synonyms ?? []) expect(e.message).toContain(`"${synonym}"`);
    }
    expect(JSON.stringify(error.errors) + error.message).not.toContain('…');
  });

  it('without any header row, shows the first line and what each required field may be called', async () => {
    const error = await fileError({ bytes: Buffer.from('col1;col2;col3\n1;2;3\n') });
    expect(error.message).toContain('"col1", "col2", "col3"');
    expect(error.errors.map((e) => e.field)).toEqual([
      'externalId',
      'debtor.externalId',
      'debtor.name',
      'amount',
      'dueDate',
    ]);
  });
});

describe('files the readers cannot read (issue 9 item 3)', () => {
  it('a CSV with an unclosed quote names the line where the quote opens', async () => {
    const csv = Buffer.from(
      'Factura;RFC;Cliente;Tipo;Monto;Vencimiento\r\n1;A;Ana;persona;100;01/01/2026\r\n\r\n2;B;"Luis;persona;200;01/01/2026\r\n3;C;Eva;persona;300;01/01/2026\r\n',
    );
    const input = { bytes: csv, defaults: { country: 'MX', currency: 'MXN' } };
    const error = await fileError(input);
    expect(error.message).toMatch(/^line 4 opens a quoted field \(".*never closed/);
    await expect(countPortfolioLines(input)).rejects.toThrow('line 4 opens a quoted field');
  });

  it('a zip that is no workbook says so', async () => {
    const bytes = storedZip('word/document.xml', '<w:document/>');
    const error = await fileError({ bytes, filename: 'cartera.xlsx' });
    expect(error.message).toContain('not an Excel workbook');
    await expect(readPortfolioHeader({ bytes })).rejects.toThrow('not an Excel workbook');
  });
});

describe('the README', () => {
  it('lists every accepted header name of every field', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Accepted column names'));
    const end = section.indexOf('\n## ', 1);
    const text = end > 0 ? section.slice(0, end) : section;
    for (const column of COLUMNS) {
      const row = text.split('\n').find((line) => line.startsWith(`| \`${column.key}\``));
      expect(row, column.key).toBeDefined();
      for (const synonym of column.synonyms) expect(row, `${column.key}: ${synonym}`).toContain(synonym);
    }
  });
});
